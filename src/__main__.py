"""`python -m runplane` is the `runplane` command."""

from runplane.app.main import main

main()
