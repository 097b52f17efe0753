"""Target progress: the targets of a region against its indicators, pace and projection."""
