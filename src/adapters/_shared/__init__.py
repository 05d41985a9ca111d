"""Helpers shared by adapters of several ports (file I/O, hashing)."""
