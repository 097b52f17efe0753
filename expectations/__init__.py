"""envq expectations."""
