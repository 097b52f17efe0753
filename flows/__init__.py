"""envq flows."""
