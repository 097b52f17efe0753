"""Prefect retries: what may pass on a second try (I/O) is retried, bad input is not."""

from __future__ import annotations

import pytest
from prefect.states import Failed

from flows.nightly import worth_retrying
from transforms.ingest.targets_config import TargetsError


def test_configuration_errors_are_not_retried_io_errors_are():
    bad_line = TargetsError("data/targets.yaml: entry 3 (line 14): unknown indicator 'pm2.5'")
    assert worth_retrying(None, None, Failed(data=bad_line)) is False
    assert worth_retrying(None, None, Failed(data=KeyError("region"))) is False
    assert worth_retrying(None, None, Failed(data=OSError("disk busy"))) is True


@pytest.mark.e2e
def test_a_task_with_a_bad_targets_line_runs_once():
    """A real Prefect task (temporary API, ~20 s): the configuration error fails it at once."""
    from prefect import flow, task

    calls: list[str] = []

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=worth_retrying)
    def configure(kind: str) -> None:
        calls.append(kind)
        if kind == "config":
            raise TargetsError("data/targets.yaml: entry 3 (line 14): unknown indicator 'pm2.5'")
        raise OSError("the file is being written")

    @flow
    def night(kind: str) -> None:
        configure(kind)

    with pytest.raises(TargetsError, match="line 14"):
        night("config")
    assert calls == ["config"]
    with pytest.raises(OSError):
        night("io")
    assert calls == ["config", "io", "io", "io"]
