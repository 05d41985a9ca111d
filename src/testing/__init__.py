"""Contract test suites every adapter of a port must pass (ours and in-house ones)."""
