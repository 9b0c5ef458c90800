"""Image.release: the mapped files' pages leave the resident set, the bytes stay the same, and the
file is never written."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from godet.read.binary import open_binaries


def _rss_file_kib() -> int:
    m = re.search(r"^RssFile:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert m is not None
    return int(m.group(1))


def test_release_keeps_bytes_and_file(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = os.stat(path).st_mtime_ns
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        first = hashlib.sha256(im.data).hexdigest()
        im.release()
        again = hashlib.sha256(im.data).hexdigest()  # faults the pages back in from the page cache
        im.release(4096, 3 * 4096 + 17)  # a part, not page-aligned at its end
        assert hashlib.sha256(im.data).hexdigest() == first == again == before
    assert os.stat(path).st_mtime_ns == mtime
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RssFile is read from /proc (Linux)")
def test_release_drops_resident_pages(gobin: Callable[[str], Path]) -> None:
    path = gobin("default")
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        im.release()
        base = _rss_file_kib()
        hashlib.sha256(im.data).hexdigest()  # touch every page of the file
        touched = _rss_file_kib()
        im.release()
        released = _rss_file_kib()
    size_kib = path.stat().st_size // 1024
    assert touched - base >= size_kib // 2, (base, touched, size_kib)
    assert touched - released >= size_kib // 2, (touched, released, size_kib)


def test_find_by_windows_finds_what_bytes_find_finds(
    gobin: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import godet.read.image as image_mod

    path = gobin("default")
    raw = path.read_bytes()
    monkeypatch.setattr(image_mod, "FIND_WINDOW", 4096)  # many windows, needles across their edges
    with open_binaries(str(path)) as bins:
        im = bins[0].image
        for at in (0, 4090, 4096, 8191, len(raw) // 2, len(raw) - 12):
            needle = raw[at : at + 12]
            assert im.find(needle) == raw.find(needle)
            assert im.find(needle, at - 3 if at >= 3 else 0) == raw.find(needle, at - 3 if at >= 3 else 0)
            assert im.find(needle, 0, at + 11) == raw.find(needle, 0, at + 11)  # ends one byte short
        assert im.find(b"\x00godet-not-there\x00") == -1
