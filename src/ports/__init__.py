"""The ports: one Protocol per kind of infrastructure, plus the application's driving port."""
