"""`python -m runplane` is the `runplane` command."""

from runplane.console import main

main()
