"""Ingest: format detection, parsing, validation gate, quarantine and loading of raw files,
and the registry and targets configuration. One module per raw format in formats/."""
