"""Placeholder for the original's Glue ETL script (the spec uploads it as a seed object)."""
