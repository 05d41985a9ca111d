"""The shape of runnable's YAML pipeline format (`dag:` with `start_at` and `steps`)."""
