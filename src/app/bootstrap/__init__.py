"""The composition root: configuration in, adapters and the four use cases out."""
