"""Run a command, measure its wall time and peak RSS, with a time limit.

Wall time comes from ``time.perf_counter`` around the child; peak RSS from the child's ``wait4``
rusage (``ru_maxrss``: the largest resident set of the child or any descendant it waited for, the
number GNU ``/usr/bin/time -f %M`` prints). A child over its time limit is killed with its whole
process group and reported as timed out, with the peak RSS seen so far (``VmHWM``, polled).
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Sample:
    """One run: wall seconds, peak RSS in KiB, exit status (None when killed at the limit)."""

    wall: float
    rss_kib: int
    rc: int | None
    timed_out: bool = False
    err: str = ""  # the end of stderr when the exit status was neither 0 nor 1

    def to_json(self) -> dict:
        out = {
            "wall": round(self.wall, 4),
            "rss_kib": self.rss_kib,
            "rc": self.rc,
            "timed_out": self.timed_out,
        }
        if self.err:
            out["err"] = self.err
        return out

    @classmethod
    def from_json(cls, d: dict) -> Sample:
        return cls(d["wall"], d["rss_kib"], d["rc"], d.get("timed_out", False), d.get("err", ""))


@dataclass
class Series:
    """All timed runs of one tool on one pair."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.samples) and not any(s.timed_out for s in self.samples)

    @property
    def timed_out(self) -> bool:
        return any(s.timed_out for s in self.samples)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def rss_kib(self) -> int:
        return int(statistics.median(s.rss_kib for s in self.samples))

    @property
    def rcs(self) -> set[int | None]:
        return {s.rc for s in self.samples}

    def to_json(self) -> dict:
        out: dict = {"samples": [s.to_json() for s in self.samples]}
        if self.samples:
            out.update(median_wall=round(self.wall, 4), median_rss_kib=self.rss_kib)
        return out


def _vm_hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(argv: list[str], timeout: float, stdout_path: str | None = None) -> Sample:
    """Run ``argv`` once (stdout to ``stdout_path`` or /dev/null; stderr kept only for a failure)."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(stdout_path, "wb")) if stdout_path else subprocess.DEVNULL
        err = stack.enter_context(tempfile.TemporaryFile())
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
        )
        result: dict = {}

        def reap() -> None:
            _, status, ru = os.wait4(proc.pid, 0)
            result.update(wall=time.perf_counter() - t0, status=status, maxrss=ru.ru_maxrss)

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        hwm = 0
        deadline = t0 + timeout
        while waiter.is_alive():
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            waiter.join(min(left, 1.0))
            if waiter.is_alive():  # polled once a second, so it never disturbs short runs
                hwm = max(hwm, _vm_hwm_kib(proc.pid))
        if waiter.is_alive():
            hwm = max(hwm, _vm_hwm_kib(proc.pid))
            os.killpg(proc.pid, signal.SIGKILL)
            waiter.join()
            proc.returncode = -9  # reaped by wait4 above; keep Popen from waiting again
            return Sample(wall=timeout, rss_kib=max(hwm, result.get("maxrss", 0)), rc=None, timed_out=True)
        proc.returncode = os.waitstatus_to_exitcode(result["status"])
        sample = Sample(wall=result["wall"], rss_kib=result["maxrss"], rc=proc.returncode)
        if proc.returncode not in (0, 1):
            err.seek(max(0, err.seek(0, os.SEEK_END) - 1000))
            sample.err = err.read().decode("utf-8", "replace").strip()
        return sample
