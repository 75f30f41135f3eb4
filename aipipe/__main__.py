"""Allow `python -m aipipe`."""

from aipipe.cli.entry import main

main()
