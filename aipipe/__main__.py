"""Allow `python -m aipipe`."""

from aipipe.cli.app import main

main()
