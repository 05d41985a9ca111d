"""Secrets providers."""
