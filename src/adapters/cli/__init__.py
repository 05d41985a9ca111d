"""The command line: a driving adapter over ports/application.py."""
