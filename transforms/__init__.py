"""Domain logic of envq: parsers of raw formats, AQI, assessment statistics, water classes,
target progress. SQL files run in DuckDB plus small pure-Python functions. No Prefect here."""
