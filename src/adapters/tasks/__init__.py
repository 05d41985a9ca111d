"""Task runners: how each kind of task command is run."""
