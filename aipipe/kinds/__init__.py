"""Resource kinds: one module (or folder) per `type:` of the spec language, owning its model, the links it
makes, its checks, its attributes and template values per cloud, its IAM needs and its program parts.
aipipe.kinds.registry names them (KIND_MODULES, checked against the modules by a test) and imports each on
first use."""
