"""Running a pipeline on a laptop: `aipipe invoke` (one handler with the event its trigger delivers) and
`aipipe run` (the whole pipeline on local emulators until nothing is left to deliver). `contract` holds what
the parts agree on: outcomes of handlers, occurrences in the local cloud, the local cloud's interface."""
