"""Compatibility layers: other tools' pipeline APIs on runplane's engine."""
