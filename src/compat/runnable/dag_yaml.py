"""runnable's YAML pipeline format (`dag:`), loaded into runplane graphs."""
