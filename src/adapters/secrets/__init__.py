"""Secrets providers: where the secrets a step declares come from."""
