"""The demo warehouse as analysts get it: every published column has its comment, the data
dictionary in docs/analysts.md is what the dictionary source gives, and the worked queries of
docs/analysts.md still run: their SQL gives the results printed there, and their pandas (a
second, differently written computation) gives the same.

The demo is built once for the module by `envq run --no-prefect` on the bundled sample (its
reports go to a temporary folder).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from flows.plain_run import run_plainly
from tests.conftest import REPO_ROOT
from transforms import dictionary

pytestmark = pytest.mark.e2e

DOC = REPO_ROOT / "docs" / "analysts.md"
QUERY = re.compile(
    r"<!-- query: (?P<name>\w+) -->\n```sql\n(?P<sql>.*?)```\n.*?\n(?P<table>\|.*?)\n\n"
    r".*?```python\n(?P<python>.*?)```",
    re.S,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("demo")
    published = folder / "envq.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO_ROOT)
        mp.delenv("ENVQ_STORAGE_VERSION", raising=False)
        mp.setenv("ENVQ_REPORTS", str(folder / "reports"))
        run_plainly(warehouse=str(published))
    con = duckdb.connect(str(published), read_only=True)
    yield con
    con.close()


def queries() -> list[dict[str, str]]:
    found = [m.groupdict() for m in QUERY.finditer(DOC.read_text(encoding="utf-8"))]
    assert [q["name"] for q in found] == ["good_days", "stations", "sections"]
    return found


def table_of(markdown: str) -> list[list[str]]:
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines()]
    return [rows[0], *rows[2:]]  # header, then the rows after the |---| line


def as_text(frame: pd.DataFrame) -> list[list[str]]:
    cells = frame.astype(object).where(frame.notna(), None)
    body = [["" if v is None else str(v) for v in row] for row in cells.itertuples(index=False)]
    return [list(frame.columns), *body]


def test_every_published_table_and_column_has_its_comment(demo):
    assert dictionary.missing(demo) == []
    uncommented = demo.execute(
        "select table_name || '.' || column_name from duckdb_columns() "
        "where not internal and schema_name = 'main' and (comment is null or comment = '')"
    ).fetchall()
    assert uncommented == []
    tables = demo.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and comment is null "
        "union all select view_name from duckdb_views() where not internal and comment is null"
    ).fetchall()
    assert tables == []


def test_docs_dictionary_is_generated_from_the_source(demo):
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(dictionary.DOC_START), text.index(dictionary.DOC_END)
    assert text[start : end + len(dictionary.DOC_END)] == dictionary.render_markdown(demo), (
        "docs/analysts.md is out of date: python -m transforms.dictionary <demo warehouse>"
    )


@pytest.mark.parametrize("query", queries(), ids=lambda q: q["name"])
def test_worked_query_gives_the_printed_result_in_sql_and_pandas(demo, query):
    sql = demo.sql(query["sql"]).df()
    assert as_text(sql) == table_of(query["table"])
    namespace = {"con": demo, "pd": pd}
    exec(query["python"], namespace)  # noqa: S102 - the documentation's own example
    assert as_text(namespace["result"]) == as_text(sql)


def test_the_doc_examples_run_on_this_demo_only(demo):
    # the printed results are of the demo as of its last day; a test on other data would not
    # compare like with like
    assert demo.execute("select max(as_of) from target_progress").fetchall() == [
        (pd.Timestamp("2026-10-31").date(),)
    ]
    assert Path(DOC).is_file()
