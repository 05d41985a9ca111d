"""Driven and driving adapters: one module per technology, grouped by port."""
