"""Building blocks every other part uses: diagnostics, locations, the YAML loader, suggestions, safe text."""
