"""The `envq` command line (see the CLI contract in docs/ and README.md).

Every command takes --warehouse (default $ENVQ_WAREHOUSE, else data/warehouse/envq.duckdb),
prints a short summary and exits non-zero with a one-line reason on failure. Commands that
write work on the working database and publish it atomically at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

for _var, _val in (
    ("GX_ANALYTICS_ENABLED", "false"),
    ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
    ("DO_NOT_TRACK", "1"),
    # the temporary API of `envq run` migrates a fresh database first: 20 s is short on a busy host
    ("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"),
):
    os.environ.setdefault(_var, _val)

from flows.settings import Settings, load_settings  # noqa: E402

if TYPE_CHECKING:
    import duckdb

log = logging.getLogger("envq")


class CliError(RuntimeError):
    """A failure reported as one line and a non-zero exit."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _run_id() -> str:
    from flows.stages import new_run_id

    return new_run_id()


def _writing(settings: Settings) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Open the working database under the writer's lock; publish on success."""
    from flows.publish import writing

    return writing(settings.warehouse, settings.work_db)


def cmd_run(args: argparse.Namespace) -> int:
    from flows.summary import run_summary_lines

    if args.no_prefect:
        from flows.plain_run import run_plainly as run
    else:
        from flows.nightly import nightly as run

    summary = run(
        warehouse=args.warehouse,
        raw=args.raw,
        as_of=args.as_of,
        edition=args.standard,
        lang=args.lang,
    )
    print("\n".join(run_summary_lines(summary)))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from flows import stages

    settings = load_settings(args.warehouse)
    run_id = _run_id()

    from flows.progress import file_progress
    from transforms.ingest.engine import iter_raw_files

    paths = [Path(p) for p in args.paths]
    with file_progress("ingest", len(iter_raw_files(paths))) as bar:

        def show(result) -> None:
            bar.advance()
            if result.status in ("failed", "rejected"):
                print(f"  {result.status}: {result.message}", file=sys.stderr)

        with _writing(settings) as con:
            stages.load_configuration(con, settings)
            summary = stages.ingest(con, paths, run_id, validate=not args.no_validate, on_file=show)
    print(
        f"ingest: {summary['files']} files {summary['by_status']}; "
        f"{summary['rows_loaded']:,} rows loaded; {summary['rows_quarantined']:,} quarantined"
    )
    unassigned = summary["unassigned_stations"]
    if unassigned:
        print(f"stations without a region: {len(unassigned)}")
        for line in unassigned:
            print(f"  - {line}")
    return 1 if summary["by_status"].get("failed") else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from flows import stages

    settings = load_settings(args.warehouse)
    with _writing(settings) as con:
        summary = stages.validate(con, _run_id(), settings)
    print(f"validation: {summary}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from flows import stages

    settings = load_settings(args.warehouse)
    with _writing(settings) as con:
        stages.load_configuration(con, settings)
        counts = stages.build(con, args.as_of, args.standard)
    print("marts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reports.build import write_reports

    settings = load_settings(args.warehouse)
    if not settings.warehouse.exists():
        raise CliError(f"{settings.warehouse}: no published warehouse yet (run `envq run`)")
    paths = write_reports(
        settings.warehouse,
        settings.reports_dir,
        as_of=args.as_of,
        lang=args.lang,
        formats=tuple(args.format.split(",")),
        region=args.region,
        year=args.year,
        self_contained=args.self_contained,
    )
    print(f"reports: {len(paths)} files in {settings.reports_dir}")
    for p in paths:
        print(f"  {p}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from transforms.sample.data import write_sample

    kwargs: dict = {}
    if args.start:
        kwargs["start"] = args.start
    if args.end:
        kwargs["end"] = args.end
    if args.stations:
        kwargs["national_stations"] = args.stations
    t0 = time.perf_counter()
    manifest = write_sample(Path(args.out), **kwargs)
    print(f"sample: {manifest['n_files']} files in {args.out} ({time.perf_counter() - t0:.1f} s)")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from flows.targets_check import targets_check
    from transforms.warehouse import connect

    settings = load_settings(args.warehouse)
    if not settings.warehouse.exists():
        raise CliError(f"{settings.warehouse}: no published warehouse yet (run `envq run`)")
    con = connect(settings.warehouse, read_only=True)
    try:
        lines, code = targets_check(con, args.as_of, args.fail_on)
    finally:
        con.close()
    print("\n".join(lines) if lines else "no target at risk or off track")
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.serve import serve

    return serve(cron=args.cron, once=args.once, warehouse=args.warehouse)


def cmd_bench(args: argparse.Namespace) -> int:
    from flows.bench import run_bench

    return run_bench(
        real=args.real,
        out=args.out,
        stations=args.stations,
        days=args.days,
        bench_dir=args.bench_dir,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="envq", description="Environmental-quality indicators and target progress."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        help="published DuckDB file (default $ENVQ_WAREHOUSE, else data/warehouse/envq.duckdb)",
    )
    common.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", parents=[common], help="the nightly job (on the sample by default)")
    p.add_argument("--raw", help="folder of incoming files (default data/raw)")
    p.add_argument("--as-of", type=_date, help="as-of date of the year-to-date figures")
    p.add_argument("--standard", choices=["2012", "2026"], help="force one edition of the rules")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the same stages in-process without Prefect (no retries, no artifacts)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("ingest", parents=[common], help="load files or folders idempotently")
    p.add_argument("paths", nargs="+")
    p.add_argument("--no-validate", action="store_true", help="skip the batch quality gates")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("validate", parents=[common], help="run the quality suites on the data")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", parents=[common], help="rebuild the marts from the core tables")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--standard", choices=["2012", "2026"])
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("report", parents=[common], help="target-gap reports (HTML, xlsx)")
    p.add_argument("--region")
    p.add_argument("--year", type=int)
    p.add_argument("--as-of", type=_date)
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--format", default="html,xlsx")
    p.add_argument(
        "--self-contained",
        action="store_true",
        help="embed plotly.js in every page (one file to mail) instead of one shared file",
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("targets", parents=[common], help="targets at risk")
    tsub = p.add_subparsers(dest="targets_command", required=True)
    c = tsub.add_parser("check", parents=[common], help="print indicators at risk or off track")
    c.add_argument("--as-of", type=_date)
    c.add_argument("--fail-on", choices=["off_track", "at_risk"])
    c.set_defaults(func=cmd_targets)

    p = sub.add_parser("serve", parents=[common], help="serve the nightly schedule with Prefect")
    p.add_argument("--cron", default=os.environ.get("ENVQ_CRON", "0 2 * * *"))
    p.add_argument("--once", action="store_true", help="trigger one scheduled-style run and exit")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sample", parents=[common], help="deterministic synthetic data")
    p.add_argument("--out", required=True)
    p.add_argument("--start", type=_date)
    p.add_argument("--end", type=_date)
    p.add_argument("--stations", type=int, help="add N national stations (benchmark data)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("bench", parents=[common], help="the benchmark suite")
    p.add_argument("--real", help="folder of real china_sites files to ingest as well")
    p.add_argument(
        "--bench-dir", help="folder of the bench's data (default $ENVQ_BENCH_DIR, else data/bench)"
    )
    p.add_argument("--out", help="JSON file of the figures (default <bench-dir>/bench.json)")
    p.add_argument("--stations", type=int, default=1700)
    p.add_argument("--days", type=int, default=365)
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # GX logs every registration at INFO: it would bury the progress lines
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # serve: one line per API request
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("envq: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: one line, non-zero exit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"envq {args.command}: {reason}", file=sys.stderr)
        if args.verbose:
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())
