"""The command line: a driving adapter over the use-case ports (ports/driving.py)."""
