"""Data-quality tables of a region's report: completeness, quarantined values, failed
expectations."""

from __future__ import annotations

from reports import i18n
from reports.data import RegionData
from reports.table import Table, as_int, frame_of, missing_to_none
from transforms.pollutants import DAILY_STATISTICS


def completeness_table(d: RegionData, lang: str) -> Table:
    """Valid days of each pollutant against the days elapsed in the year."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("pollutant"), t("elapsed_days"), t("valid_days"), t("completeness")]
    rows = []
    if not d.completeness.empty:
        c = d.completeness.iloc[0]
        elapsed = int(c["elapsed_days"])
        share = lambda n: round(100 * n / elapsed, 1) if elapsed else None  # noqa: E731
        for p in DAILY_STATISTICS:
            valid = int(c[f"{p}_days"])
            rows.append([i18n.pollutant(p, lang), elapsed, valid, share(valid)])
        valid = int(c["valid_days"])
        rows.append([t("aqi"), elapsed, valid, share(valid)])
    return Table("sheet_completeness", frame_of(rows, headers))


def quarantine_table(d: RegionData, lang: str) -> Table:
    """Quarantined values by reason, with the number of files and an example of the raw text."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [t("reason"), t("cells"), t("files"), t("example")]
    rows = [
        [
            i18n.quarantine_reason(r.reason, lang),
            int(r.cells),
            int(r.files),
            missing_to_none(r.example),
        ]
        for r in d.quarantined.itertuples()
    ]
    return Table("sheet_quarantine", frame_of(rows, headers))


def validation_table(d: RegionData, lang: str) -> Table:
    """Expectations that failed in the latest validation run."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    headers = [
        t("suite"),
        t("expectation"),
        t("severity"),
        t("failed_batches"),
        t("unexpected_values"),
    ]
    rows = [
        [
            r.suite,
            r.expectation,
            i18n.severity(r.severity, lang),
            int(r.failed_batches),
            as_int(r.unexpected_values),
        ]
        for r in d.failed_expectations.itertuples()
    ]
    return Table("sheet_validation", frame_of(rows, headers))
