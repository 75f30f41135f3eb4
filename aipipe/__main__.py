"""Allow `python -m aipipe`."""

from aipipe.cli import main

main()
