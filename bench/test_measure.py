"""The timing helper: wall time, peak RSS, time limit, stderr of failures."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run


def test_measures_wall_and_rss() -> None:
    s = run([sys.executable, "-c", "b = bytearray(64 << 20); import time; time.sleep(0.2)"], 30)
    assert s.rc == 0 and not s.timed_out
    assert 0.2 <= s.wall < 10
    assert s.rss_kib >= 64 << 10  # the 64 MiB buffer is resident


def test_time_limit_kills_the_process_group() -> None:
    s = run(["sh", "-c", "sleep 30 & sleep 30"], 1.5)
    assert s.timed_out and s.rc is None
    assert s.wall == 1.5


def test_failure_keeps_stderr(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    s = run([sys.executable, "-c", "import sys; print('x'); sys.exit('boom: bad input')"], 30, str(out))
    assert s.rc == 1 and s.err == ""  # 1 is "different", not a failure
    s = run([sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(2)"], 30, str(out))
    assert s.rc == 2 and s.err.endswith("boom")
