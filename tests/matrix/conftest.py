"""Print the factor matrix (pair -> expected roots -> godet's roots -> explained %) after the run."""

from __future__ import annotations

import pytest

from matrix.evaluate import RESULTS
from matrix.report import table


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("godet factor matrix (issue 9)")
    for line in table(RESULTS).splitlines():
        terminalreporter.write_line(line)
