"""Documentation files beside the data: recognised by name, document suffix or untabular text."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.ingest.raw_files import is_documentation

NOTES = "山东省主要地区2014-2017每日空气质量历史数据\r\n\r\n内容：\r\n\t2014年1月1日起\r\n"
URL_LIST = '√<ahref="/aqi/jinan.html">济南</a>\r\n√<ahref="/aqi/qingdao.html">青岛</a>\r\n'
PIPES = "济南||2014-01-01||轻度污染||138||113||71||207||138||73||1.35||19||\r\n"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("数据说明.txt", NOTES.encode("gbk"), True),  # prose, GBK
        ("notes.txt", NOTES.encode("utf-8-sig"), True),  # prose, UTF-8: by content
        ("AQI数据非空地区网址列表.txt", URL_LIST.encode("gbk"), True),  # a plain list
        ("city.txt", "哈尔滨\n南昌\n天津\n".encode(), True),
        ("README_upstream.md", b"# aqistudy, daily AQI", True),  # by suffix despite commas
        ("HJ_633-2012.pdf", b"%PDF-1.4", True),
        ("report.docx.gz", b"PK\x03\x04", True),  # suffix under the compression suffix
        ("README.txt", b"station,pollutant,value\n", True),  # by name despite commas
        ("使用说明.csv", b"a,b\n1,2\n", True),  # 说明 in the name
        ("output.txt", PIPES.encode("gbk"), False),  # a table: delimited lines
        ("unknown.txt", b"title only\n\nx,y\n1,2\n", False),  # one delimited line is enough
        ("alldata.csv", "城市,日期\n".encode(), False),  # csv/json: never documentation
        ("2021-03-01.json", b'{"data": []}', False),
    ],
)
def test_is_documentation(name: str, data: bytes, expected: bool) -> None:
    assert is_documentation(Path(name), data) is expected


def test_delimiter_after_the_fifth_line_does_not_count() -> None:
    head = b"".join(f"line {i}\n".encode() for i in range(5)) + b"a,b\n"
    assert is_documentation(Path("notes.txt"), head) is True
    assert is_documentation(Path("notes.txt"), b"a,b\n" + head) is False
