"""envq's data-quality gates (Great Expectations suites, one per dataset).

- suites/: the checks of each dataset as data (spec.Check: GX expectation, severity, action);
- batch.py: the ingest hook (make_batch_validator), vectorised evaluation per file (fast.py);
- run.py: `envq validate` (validate_warehouse): GX on samples of what is loaded, plus the
  cross-file checks in DuckDB SQL (warehouse_checks.py, sql/);
- results.py, docs.py: the validation_results table, the Prefect artifact rows, Data Docs.
"""
