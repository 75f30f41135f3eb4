"""Resource kinds: one module (or folder) per `type:` of the spec language, owning its model, the links it
makes, its checks, its attributes and template values per cloud, its IAM needs and its program parts.
aipipe.kinds.registry finds them; nothing else lists them."""
