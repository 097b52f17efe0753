"""The deterministic synthetic sample in the real raw formats (for the demo, tests and
the bench). Not a transform: nothing in transforms/ imports it."""
