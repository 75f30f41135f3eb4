"""Trigger kinds: one module per way a resource is started (`bucket`, `stream`, `topic`, `schedule`), owning its
model, its rules per cloud, which events it matches, and how it is wired to each target on each cloud.
aipipe.triggers.registry finds them; functions take any of them, workflows those wired to start a state machine
(aipipe.triggers.to_workflow)."""
