"""The spec document: scalar values, references, the base of every model, the top level and stacks, and
what the checks share (CheckContext, Link). Resource kinds and trigger kinds build on it; the validation
driver (aipipe.validation) puts it all together."""
