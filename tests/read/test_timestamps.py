"""One recogniser of build times for diff and check: what is a timestamp, what is not (Go's own
time layouts, read from the toolchain's time package; pseudo-versions; the commit time)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import gobuild
import oracles
from godet.check.rules import looks_like_timestamp
from godet.check.rules import rodata_timestamps as check_rodata_timestamps
from godet.read.binary import open_binaries
from godet.read.timestamps import find_timestamps, is_unix_time, rodata_timestamps, timestamp_label

STAMPS = {
    "2024/05/01": "calendar date",
    "2024-05-01": "calendar date",
    "20240501": "compact timestamp",
    "20240501T123045Z": "compact timestamp",
    "12:30:45": "time of day",
    "2026-11-20T10:00:00Z": "RFC 3339 time",
    "built 2026-11-20 10:00:00 UTC": "RFC 3339 time",
    "Nov 20 2026": "C __DATE__",
    "C build stamp: Nov 20 2026 10:00:00": "C __DATE__",
    "Fri Nov 20 10:00:00 UTC 2026": "date(1) output",
    "Fri, 20 Nov 2026 10:00:00 +0000": "date(1) output",
}
NOT_STAMPS = [
    "v0.0.0-20240501123045-abcdef123456",  # a pseudo-version's commit time
    "1.2.3",
    "hello, godet",
    "2026",
    "0x20240501",
]


@pytest.mark.parametrize(("text", "label"), STAMPS.items())
def test_build_times(text: str, label: str) -> None:
    assert timestamp_label(text) == label


@pytest.mark.parametrize("text", NOT_STAMPS)
def test_not_build_times(text: str) -> None:
    assert find_timestamps(text) == []


def _go_layouts() -> list[str]:
    """The layout constants of the pinned toolchain's time package (src/time/format.go)."""
    src = (gobuild.toolchain().goroot / "src" / "time" / "format.go").read_text()
    block = src[src.index("const (\n\tLayout") : src.index("\n)\n", src.index("const (\n\tLayout"))]
    return re.findall(r'=\s*"([^"]+)"', block)


def test_go_time_layouts_are_not_build_times(gobuild_available: gobuild.Toolchain) -> None:
    layouts = _go_layouts()
    assert "02 Jan 06 15:04 MST" in layouts and "Mon Jan _2 15:04:05 2006" in layouts
    for layout in layouts:
        assert find_timestamps(layout) == [], layout
    blob = "".join(layouts)  # as the linker lays strings out: concatenated, no separators
    assert find_timestamps(blob) == []


def test_unix_time() -> None:
    assert is_unix_time("1795168800") and is_unix_time("1795168800000")
    assert not is_unix_time("123456789") and not is_unix_time("9999999999")


def test_commit_time_is_not_flagged() -> None:
    assert looks_like_timestamp("main.date", "2023-01-14T04:33:15Z", "2023-01-14T04:33:15Z") is None
    assert (
        looks_like_timestamp("main.date", "2023-01-15T04:33:15Z", "2023-01-14T04:33:15Z") == "RFC 3339 time"
    )


def test_esbuild_0_17_0_passes_the_default_gate(gobuild_available: gobuild.Toolchain) -> None:
    """Upstream esbuild 0.17.0 (-trimpath, stripped, VCS stamps): the only date-and-time string in its
    read-only data is the commit time in the runtime's modinfo copy; GD203 must not fire on it."""
    path = gobuild.npm_binary("@esbuild/linux-x64", "0.17.0")
    vcs_time = oracles.go_version_m_json(path)["Settings"]
    vcs_time = next(s["Value"] for s in vcs_time if s["Key"] == "vcs.time")
    with open_binaries(str(path)) as (b,):
        found = [t for t, _sec, _off in rodata_timestamps(b.image)]
        assert vcs_time in found  # the scan sees it (the test is not vacuous)...
        assert all(t != vcs_time for t, _sec, _off in check_rodata_timestamps(b))  # ...check drops it
    res = subprocess.run([sys.executable, "-m", "godet", "check", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "GD203" not in res.stdout


@pytest.mark.parametrize(
    "value",
    [
        "1970-01-01T00:00:00Z",  # SOURCE_DATE_EPOCH=0, or a zero time.Time formatted
        "1970-01-01 00:00:00 +0000 UTC",  # time.Time.String() of the epoch
        "Thu Jan  1 00:00:00 UTC 1970",  # date -d @0
    ],
)
def test_the_unix_epoch_is_no_build_time(value: str) -> None:
    # (Debian's prometheus 2.53 holds "1970-01-01T00:00:00Z" in a string variable)
    assert looks_like_timestamp("main.buildDate", value) is None
    assert looks_like_timestamp("main.buildDate", value.replace("00:00:00", "00:00:01")) is not None
