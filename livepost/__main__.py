"""`python -m livepost` runs the CLI."""

from livepost.cli import main

main()
