"""Pipeline checks (AP5xx): mistakes that validate fine but cost money or data once deployed. One module per
check; aipipe.policies.registry finds them, runs them and writes docs/checks.md from them."""
