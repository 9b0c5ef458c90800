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
