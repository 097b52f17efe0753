"""envq reports."""
