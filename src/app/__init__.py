"""Composition root and SDK: the only layer that names concrete adapters."""
