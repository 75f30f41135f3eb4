"""The `aipipe` command line: aipipe.cli.app builds the Typer app from the command modules beside it."""
