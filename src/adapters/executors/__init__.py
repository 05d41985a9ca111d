"""Executors: where and how steps run."""
