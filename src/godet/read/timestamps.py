"""Dates and times inside strings: one recogniser for diff (differing strings) and check (-X values,
read-only data).

A build time is a date or time of day in one of the shapes tools print (RFC 3339, date(1), C
``__DATE__``/``__TIME__``, compact ``20240501T123045``, ``2024/05/01``, ``12:30:45``). Not build times:
Go's time-layout constants (the reference time, Mon Jan 2 15:04:05 MST 2006, in any layout, e.g.
"02 Jan 06 15:04 MST" or "2006-01-02T15:04:05Z07:00": every Go program that imports time holds
them) and the commit time inside a pseudo-version (v0.0.0-20240501123045-abcdef123456).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from godet.read.image import Image

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
DAYS = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
YEAR = r"(?:19[7-9]\d|2\d\d\d)"
_ZONE = r"(?:Z|[+-][0-2]\d:?[0-5]\d| ?UTC| ?GMT)"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "RFC 3339 time",
        re.compile(rf"(?<!\d){YEAR}-[01]\d-[0-3]\d[T _][0-2]\d:[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?{_ZONE}?"),
    ),
    (
        "date(1) output",
        re.compile(
            rf"(?:(?:{DAYS}),? )?(?:{MONTHS}) [ 0-3]?\d,? [0-2]?\d:[0-5]\d:[0-5]\d(?: [A-Z]{{2,5}})? {YEAR}"
        ),
    ),
    (
        "date(1) output",
        re.compile(
            rf"(?:(?:{DAYS}),? )?[0-3]?\d (?:{MONTHS}) {YEAR} [0-2]?\d:[0-5]\d:[0-5]\d(?: ?[A-Z]{{2,5}}|"
            r" [+-]\d{4})?"
        ),
    ),
    ("C __DATE__", re.compile(rf"(?<![\w])(?:{MONTHS}) [ 0-3]\d {YEAR}(?!\d)")),
    (
        "compact timestamp",
        re.compile(rf"(?<![0-9A-Za-z.]){YEAR}[01]\d[0-3]\d(?:[T_.-]?[0-2]\d[0-5]\d(?:[0-5]\d)?Z?)?(?!\d)"),
    ),
    ("calendar date", re.compile(rf"(?<![\d.v]){YEAR}[-/][01]\d[-/][0-3]\d(?!\d)")),
    (
        "time of day",
        re.compile(
            r"(?<![\d:])[0-2]\d:[0-5]\d:[0-5]\d(?:[.,]\d+)?(?![\d:])(?: ?(?:UTC|GMT|[A-Z]{3,4}|[+-]\d{4}))?"
        ),
    ),
)
# The reference time's fields as Go layouts spell them (a real build time would be 15:04 on a day
# of 2006 to contain one).
GO_LAYOUT = re.compile(r"2006|15:04|03:04:05PM|\b3:04PM|Jan _2|_2 Jan|'06\b")
PSEUDO_VERSION = re.compile(r"v\d+\.\d+\.\d+-(?:[\w.]+\.)?\d{14}-[0-9a-f]{12}")
UNIX_TIME = re.compile(r"^(\d{10}|\d{13})$")


@dataclass(frozen=True)
class Stamp:
    """A date or time found in a string: [start, end) in it, and its shape."""

    start: int
    end: int
    label: str

    def text(self, s: str) -> str:
        return s[self.start : self.end]


def find_timestamps(text: str) -> list[Stamp]:
    """The build-time-shaped substrings of ``text``, longest first where they overlap, in order."""
    masked = PSEUDO_VERSION.sub(lambda m: " " * len(m.group()), text)
    found: list[Stamp] = []
    for label, pattern in PATTERNS:
        for m in pattern.finditer(masked):
            if any(s.start <= m.start() and m.end() <= s.end for s in found):
                continue
            if GO_LAYOUT.search(masked, max(0, m.start() - 12), min(len(masked), m.end() + 12)):
                continue  # a Go time layout ("Mon Jan _2 15:04:05 2006"), not a time
            found.append(Stamp(m.start(), m.end(), label))
    found.sort(key=lambda s: (s.start, -s.end))
    return [
        s
        for i, s in enumerate(found)
        if not any(t.start <= s.start and s.end <= t.end and t != s for t in found[:i])
    ]


def timestamp_label(text: str) -> str | None:
    """The shape of the first date or time in ``text`` (None when it holds none)."""
    got = find_timestamps(text)
    return got[0].label if got else None


def is_unix_time(value: str) -> bool:
    """Seconds (10 digits) or milliseconds (13) since 1970 between 2000 and 2100."""
    v = value.strip()
    return bool(UNIX_TIME.match(v)) and 946_684_800 <= int(v[:10]) < 4_102_444_800


# --------------------------------------------------------------------------------- read-only data

MAX_RODATA_SCAN = 256 << 20  # bytes of read-only data scanned at most
MAX_RODATA_STAMPS = 50
# Every full date-and-time shape read-only data is scanned for has a time of day: find the
# "hh:mm:ss" colons first (a literal-led search, memchr speed) and try the patterns around them.
_COLON = re.compile(rb":[0-5]\d:[0-5]\d")
_AROUND = 40
_FULL = ("RFC 3339 time", "date(1) output")


def rodata_timestamps(image: Image, limit: int = MAX_RODATA_STAMPS) -> list[tuple[str, str, int]]:
    """Date-and-time strings in read-only data: (text, section, file offset); Go layouts excluded.

    The scan is bounded by the file (a section header may claim more than the file holds) and by
    MAX_RODATA_SCAN, and is led by a literal so that GiBs of zeros cost milliseconds.
    """
    out: list[tuple[str, str, int]] = []
    seen: set[int] = set()
    for name in image.fmt.names("rodata"):
        sec = image.section(name)
        if sec is None or not sec.size or sec.offset in seen:
            continue
        seen.add(sec.offset)
        data = image.section_bytes(sec)[:MAX_RODATA_SCAN]
        pos = 0
        for m in _COLON.finditer(data):
            lo = max(0, m.start() - _AROUND, pos)
            if m.start() < pos:
                continue
            window = bytes(data[lo : m.end() + _AROUND]).decode("latin-1")
            hit = next(
                (
                    s
                    for s in find_timestamps(window)
                    if s.label in _FULL and s.start <= m.start() - lo < s.end
                ),
                None,
            )
            if hit is None:
                continue
            out.append((hit.text(window), sec.name, sec.offset + lo + hit.start))
            pos = lo + hit.end
            if len(out) >= limit:
                return out
    return out
