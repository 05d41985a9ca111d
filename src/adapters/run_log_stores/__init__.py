"""Run log stores: where run records are kept."""
