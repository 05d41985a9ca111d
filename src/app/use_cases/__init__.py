"""The use cases, one class per driving port (see docs/architecture.md, "Application layer")."""
