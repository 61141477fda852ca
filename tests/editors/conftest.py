"""Under `CI=true` a real-editor test that skips is a failure.

The editor suites skip when nvim, code-server, Chromium or npm is missing, so a laptop
without them can still run the rest. In CI the editors are installed by
`.ci/install-editors.sh`; a skip there means the install broke and the clients went
untested, which must turn the run red instead of passing quietly.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


def _strict() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _why(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _fail(report: pytest.CollectReport | pytest.TestReport) -> None:
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI=true, where a missing editor is a failure: {_why(report)} "
        "(install the editors with `bash .ci/install-editors.sh`)"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, None]:
    outcome = yield
    report = outcome.get_result()
    if _strict() and report.skipped and not hasattr(report, "wasxfail"):
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, None]:
    outcome = yield
    report = outcome.get_result()
    if _strict() and report.skipped:
        _fail(report)
