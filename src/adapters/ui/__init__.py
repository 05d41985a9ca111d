"""runplane ui: a local web app that browses, watches and compares recorded runs."""
