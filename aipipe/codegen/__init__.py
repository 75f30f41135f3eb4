"""Code generation: safe-code primitives, symbolic values to Python expressions, the program context, the project."""
