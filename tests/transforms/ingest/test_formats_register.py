"""Every module in transforms/ingest/formats/ registers a format, and detection follows the
explicit DETECTION_ORDER whatever order the modules happen to be imported in."""

from __future__ import annotations

import pkgutil

from transforms.ingest import formats
from transforms.ingest.engine import DETECTION_ORDER, format_modules, registered_formats


def test_every_format_module_registers_a_format():
    modules = {f"{formats.__name__}.{m.name}" for m in pkgutil.iter_modules(formats.__path__)}
    assert modules  # the package is found: the check below is not vacuous
    owners = {spec.detect.__module__ for spec in registered_formats()}
    assert sorted(modules - owners) == []


def test_detection_order_names_every_format_module_once():
    found = sorted(m.name for m in pkgutil.iter_modules(formats.__path__))
    assert sorted(DETECTION_ORDER) == found
    assert len(set(DETECTION_ORDER)) == len(DETECTION_ORDER)
    assert format_modules() == [f"{formats.__name__}.{m}" for m in DETECTION_ORDER]


def test_registered_formats_follow_the_module_order():
    modules = [spec.detect.__module__ for spec in registered_formats()]
    rank = {m: i for i, m in enumerate(format_modules())}
    ours = [rank[m] for m in modules if m in rank]
    assert ours == sorted(ours)
    names = [s.name for s in registered_formats()]
    assert names[:3] == ["cnemc_sites", "cnemc_cities", "station_list"]
