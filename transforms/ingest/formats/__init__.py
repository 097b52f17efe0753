"""One module per raw file format; each registers its FormatSpec on import."""
