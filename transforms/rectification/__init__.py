"""Inspection rectification (督察整改): ledgers read as data, every problem tracked to its
closure through the snapshots, the three-colour supervision and the completion figures."""
