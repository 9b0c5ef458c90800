"""``godet diff`` (default format): the verdict, then root causes, consequences and the residual.

Readable at 100 columns: long evidence values (DefaultGODEBUG, build IDs, paths) are shortened
in the middle, prose is wrapped. Colour only on a terminal; plain text when piped or with
NO_COLOR. The small formatting helpers here are shared by the Markdown and HTML renderers.
"""

from __future__ import annotations

import os
import textwrap
from typing import Any

from godet.explain.detectors.base import Evidence, Finding
from godet.explain.model import percent
from godet.explain.report import DiffReport, Residual, Side
from godet.present import safe
from godet.present.safe import Console, Text
from godet.read.formats import display_name

WIDTH = 100
INDENT = "     "
ELLIPSIS = "…"
MAX_ROOT_EVIDENCE = 8
MAX_CONSEQUENCE_EVIDENCE = 3
MAX_REGIONS = 5
MAX_DISASSEMBLY = 12
MAX_LABEL = 30
MAX_PLACES = 6
MAX_PLACE_WIDTH = 48  # a place's name (a long Go function name) cut in its middle

BAD = "bold red"
GOOD = "bold green"
WARN = "bold yellow"
OTHER = "bold magenta"
ID = "bold cyan"
DIM = "dim"
A_STYLE = "red"
B_STYLE = "green"


# ------------------------------------------------------------------ shared formatting helpers


def abbreviate(value: str, limit: int) -> str:
    """``value`` shortened to ``limit`` characters by cutting its middle (``head…tail``); a list of
    names (``x, y, z``, no spaces in an item, perhaps after ``N, e.g.``) keeps its first whole items
    and says how many it left out, so that no two names run into one."""
    value = safe.text(value)
    if len(value) <= limit:
        return value
    if limit <= 1:
        return ELLIPSIS[:limit]
    lead, sep, rest = value.rpartition("e.g. ")  # "28, e.g. x, y": the names after the count
    items = rest.split(", ")
    if len(items) > 1 and all(x and not any(c.isspace() for c in x) for x in items):  # (names, paths)
        for n in range(len(items) - 1, 0, -1):
            shown = lead + sep + ", ".join(items[:n]) + f", {ELLIPSIS} +{len(items) - n} more"
            if len(shown) <= limit:
                return shown
    keep = limit - len(ELLIPSIS)
    head = (keep + 1) // 2
    tail = keep - head
    return value[:head] + ELLIPSIS + (value[-tail:] if tail else "")


def _short_places(places: list[str]) -> list[str]:
    """Places without the folder path they all share (``github.com/x/y/internal/``), shown once as
    ``…/``: the package and function names that tell them apart stay."""
    folders = [p.split("(", 1)[0].split("[", 1)[0].rpartition("/")[0] for p in places]  # (not a type's)
    try:
        shared = os.path.commonpath(folders) if len(places) > 1 and all(folders) else ""
    except ValueError:  # (absolute and relative names)
        shared = ""
    if len(shared) <= 8 or not all(p.startswith(shared + "/") for p in places):
        return places
    return [ELLIPSIS + "/" + p[len(shared) + 1 :] for p in places]


def nbytes(n: int) -> str:
    """``1 byte`` / ``1,234 bytes``."""
    return f"{n:,} byte" + ("" if n == 1 else "s")


def amount(f: Finding) -> str:
    """A cause's bytes and share (``1,234 bytes · 0.5%``); a cause whose differing bytes its cause's
    or a neighbour's claims took (vcs.time beside vcs.revision) has none of its own."""
    if f.bytes == 0:
        return "no bytes of its own"
    return f"{nbytes(f.bytes)} · {percent(f.share)}"


def shown(value: str | None) -> str:
    """An evidence value for display: ``(absent)`` for None, ``(empty)`` for an empty string."""
    if value is None:
        return "(absent)"
    return "(empty)" if value == "" else safe.text(value)


def side_line(side: Side) -> str:
    """Size, container, architecture, Go version and hash of one file."""
    parts = [nbytes(side.size)]
    fmt = display_name(side.format)
    if fmt or side.arch:
        parts.append(" ".join(x for x in (fmt, side.arch) if x))
    parts.append(side.go_version or "no Go version")
    parts.append(f"sha256 {side.sha256[:16]}")
    return " · ".join(parts)


def cause_name(f: Finding) -> str:
    """``build-setting (-tags)``: the cause id, with the key when the finding has one."""
    return f"{f.cause} ({f.key})" if f.key else f.cause


def because_name(f: Finding) -> str:
    """``build-setting (-race)``: the root a consequence follows from, with its key."""
    if not f.because:
        return ""
    return f"{f.because} ({f.because_key})" if f.because_key else f.because


def owners_line(f: Finding, limit: int = 4) -> str:
    """``std 1,204 functions 3.1 MB · golang.org/x/sys 310 functions 1.2 MB``: code by owner."""
    labels = {"std": "standard library", "generated": "compiler-generated"}
    parts = []
    for o in f.owners[:limit]:
        name = labels.get(o["owner"], o["owner"])
        fn = f"{o['functions']:,} function" + ("" if o["functions"] == 1 else "s")
        parts.append(f"{name}: {fn}, {nbytes(o['bytes'])}")
    rest = len(f.owners) - limit
    if rest > 0:
        parts.append(f"{rest} more")
    return " · ".join(parts)


def consequence_bytes(f: Finding) -> int:
    """Bytes a root cause counts through its consequences (its ``bytes`` beyond its own claims)."""
    if f.role != "root" or f.direct_bytes <= 0:
        return 0
    return max(0, f.bytes - f.direct_bytes)


def regions_line(f: Finding, limit: int = MAX_REGIONS) -> str:
    """``.debug_info 313,502 · .gopclntab 25 · 3 more sections`` (largest first, as the report holds them)."""
    parts = [f"{r['section']} {r['bytes']:,}" for r in f.regions[:limit]]
    rest = len(f.regions) - limit
    if rest > 0:
        parts.append(f"{rest} more section" + ("" if rest == 1 else "s"))
    return " · ".join(parts)


def span(r: tuple[int, int] | None) -> str:
    """``0x1a0619 +313,402`` for a file range, ``-`` when the side has none."""
    if r is None:
        return "-"
    return f"{r[0]:#x} +{r[1] - r[0]:,}"


def residual_where(r: Residual) -> str:
    """The most precise name of a residual's place: function, else symbol, else unit."""
    bits = [r.section]
    sub = r.unit.split("/", 1)[1] if r.unit.startswith(r.section + "/") else ""
    if sub and sub != r.function:
        bits.append(sub)
    if r.function:
        bits.append(r.function)
    elif r.symbol:
        bits.append(f"symbol {r.symbol}")
    return " · ".join(bits)


def headline(report: DiffReport) -> tuple[str, str]:
    """(verdict word, one-line summary) shared by all diff renderers."""
    if report.identical:
        return "IDENTICAL", "the files are byte-for-byte identical"
    if not report.related:
        return "NOT THE SAME PROGRAM", "these are not two builds of the same program"
    n = report.differing_bytes
    text = (
        f"{nbytes(n)} differ; {report.explained_bytes:,} explained ({percent(report.explained_bytes, n)}), "
        f"{report.unexplained_bytes:,} unexplained"
    )
    return "DIFFERENT", text


# ------------------------------------------------------------------ the renderer


class DiffText:
    """Rich terminal text (plain when ``color`` is False)."""

    def __init__(self, color: bool = False, width: int = WIDTH, **_: Any) -> None:
        self.color = color
        self.width = max(60, width)

    def render(self, report: DiffReport) -> str:
        con = safe.console(self.color)
        self._verdict(con, report)
        if report.identical:
            return con.output()
        if not report.related:
            self._unrelated(con, report)
        else:
            self._causes(con, report)
            self._residual(con, report)
        self._notes(con, report)
        return con.output()

    # -- pieces

    def _wrap(self, con: Console, text: str, indent: str = INDENT, style: str = "") -> None:
        for line in textwrap.wrap(
            text,
            self.width,
            initial_indent=indent,
            subsequent_indent=indent,
            break_on_hyphens=False,
            break_long_words=False,
        ):
            con.print(Text(line, style=style))

    def _verdict(self, con: Console, report: DiffReport) -> None:
        word, text = headline(report)
        style = GOOD if report.identical else (OTHER if not report.related else BAD)
        line = Text("godet diff: ", style="bold")
        line.append(word, style=style)
        con.print(line)
        for name, side in (("A", report.a), ("B", report.b)):
            con.print(Text(f"  {name}  ", style="bold").append(abbreviate(side.path, self.width - 5)))
            self._wrap(con, side_line(side), style=DIM)
        con.print()
        if report.identical:
            self._wrap(
                con,
                f"The files are byte-for-byte identical (sha256 {report.a.sha256}). Nothing to fix.",
                indent="  ",
                style=GOOD,
            )
            return
        if report.related:
            self._wrap(con, report.verdict, indent="  ", style="bold")
            self._wrap(con, text[0].upper() + text[1:] + ".", indent="  ")

    def _unrelated(self, con: Console, report: DiffReport) -> None:
        self._wrap(
            con,
            "These are not two builds of the same program, so godet does not explain their "
            "differences byte by byte.",
            indent="  ",
            style=OTHER,
        )
        for f in report.causes:  # the evidence says what differs; the summary would repeat it
            con.print()
            self._evidence(con, f.evidence, MAX_ROOT_EVIDENCE)
            self._fix(con, f)

    def _causes(self, con: Console, report: DiffReport) -> None:
        roots, consequences = report.roots, report.consequences
        if roots:
            con.print()
            con.print(Text(f"Root causes ({len(roots)})", style="bold underline"))
            for i, f in enumerate(roots, 1):
                con.print()
                self._cause(con, f, f"{i:>2}. ", MAX_ROOT_EVIDENCE)
        elif report.differing_bytes:
            con.print()
            self._wrap(con, "No root cause was recognised.", indent="  ", style=WARN)
        if consequences:
            con.print()
            con.print(Text(f"Consequences ({len(consequences)})", style="bold underline"))
            self._wrap(
                con,
                "These differ because something else differs; they go away with their cause.",
                indent="  ",
                style=DIM,
            )
            for f in consequences:
                con.print()
                self._cause(con, f, "  - ", MAX_CONSEQUENCE_EVIDENCE)

    def _cause(self, con: Console, f: Finding, bullet: str, max_evidence: int) -> None:
        head = Text(bullet)
        head.append(cause_name(f), style=ID)
        head.append(f" · {f.title}")
        if f.role == "consequence":
            head.append(f", because of {because_name(f)}" if f.because else ", a consequence", style="italic")
        size = amount(f)
        pad = self.width - head.cell_len - len(size)
        if pad >= 2:
            head.append(" " * pad)
            head.append(size, style="bold")
            con.print(head)
        elif head.cell_len <= self.width:
            con.print(head)
            con.print(Text(INDENT + size, style="bold"))
        else:  # a long title wraps under the cause, at word boundaries
            self._wrapped_head(con, head, bullet + cause_name(f), size)
        through = consequence_bytes(f)
        if through:
            con.print(
                Text(INDENT + f"{f.direct_bytes:,} directly, {through:,} through its consequences", style=DIM)
            )
        self._wrap(con, f.summary)
        self._evidence(con, f.evidence, max_evidence)
        if f.owners and f.role == "root":
            self._labelled(con, "code", owners_line(f))
        if f.regions or f.places:
            where = regions_line(f)
            if f.places:
                shown_places = ", ".join(
                    abbreviate(p, MAX_PLACE_WIDTH) for p in _short_places(f.places[:MAX_PLACES])
                )
                if len(f.places) > MAX_PLACES:
                    shown_places += f", and {len(f.places) - MAX_PLACES} more"
                where += ("  " if where else "") + "(" + shown_places + ")"
            self._labelled(con, "where", where)
        if f.role == "root":
            self._fix(con, f)

    def _wrapped_head(self, con: Console, head: Text, lead: str, amount: str) -> None:
        """A cause heading wider than the page: the words wrap, the cause name keeps its style."""
        lines = textwrap.wrap(
            head.plain,
            self.width,
            subsequent_indent=INDENT,
            break_on_hyphens=False,
            break_long_words=False,
        )
        first = head[: len(lines[0])] if lines[0].startswith(lead) else Text(lines[0])
        con.print(first)
        for ln in lines[1:]:
            con.print(Text(ln, style="italic" if "because of" in ln else ""))
        con.print(Text(INDENT + amount, style="bold"))

    def _labelled(self, con: Console, label: str, value: str, style: str = "") -> None:
        lines = textwrap.wrap(
            value, self.width - len(INDENT) - 7, break_on_hyphens=False, break_long_words=False
        ) or [""]
        for i, ln in enumerate(lines):
            t = Text(INDENT + (f"{label:<7}" if i == 0 else " " * 7), style="bold" if i == 0 else "")
            t.append(ln, style=style)
            con.print(t)

    def _fix(self, con: Console, f: Finding) -> None:
        if f.fix:
            lines = textwrap.wrap(
                f.fix, self.width - len(INDENT) - 7, break_on_hyphens=False, break_long_words=False
            ) or [""]
            for i, ln in enumerate(lines):
                t = Text(INDENT + ("fix    " if i == 0 else " " * 7), style=GOOD if i == 0 else "")
                t.append(ln)
                con.print(t)

    def _evidence(self, con: Console, items: list[Evidence], limit: int) -> None:
        if not items:
            return
        fitting = [len(e.label) for e in items[:limit] if len(e.label) + 2 <= MAX_LABEL]
        label_w = max(fitting, default=0) + 2
        room = self.width - len(INDENT) - label_w - 3  # "A: "
        for e in items[:limit]:
            label = e.label
            if len(label) + 2 > label_w:  # a long label gets a line of its own
                con.print(Text(INDENT + abbreviate(label, self.width - len(INDENT))))
                label = ""
            a, b = shown(e.a), shown(e.b)
            one = len(a) + len(b) + 6  # "A: " + "   B: " minus the first "A: "
            if one <= room:
                t = Text(INDENT + f"{label:<{label_w}}")
                t.append("A: ", style="bold").append(a, style=A_STYLE)
                t.append("   B: ", style="bold").append(b, style=B_STYLE)
                con.print(t)
                continue
            t = Text(INDENT + f"{label:<{label_w}}")
            t.append("A: ", style="bold").append(abbreviate(a, room), style=A_STYLE)
            con.print(t)
            t = Text(INDENT + " " * label_w)
            t.append("B: ", style="bold").append(abbreviate(b, room), style=B_STYLE)
            con.print(t)
        rest = len(items) - limit
        if rest > 0:
            con.print(Text(INDENT + f"… and {rest} more", style=DIM))

    def _residual(self, con: Console, report: DiffReport) -> None:
        con.print()
        if not report.unexplained:
            if report.differing_bytes:
                con.print(Text("Unexplained: nothing; every differing byte has a cause.", style=GOOD))
            return
        n = len(report.unexplained)
        share = percent(report.unexplained_bytes, report.differing_bytes)
        places = f"{n} place" + ("" if n == 1 else "s")
        con.print(
            Text(
                f"Unexplained ({nbytes(report.unexplained_bytes)}, {share}, in {places})",
                style="bold underline",
            )
        )
        self._wrap(
            con,
            "No detector claimed these bytes; they are located as precisely as the binaries allow.",
            indent="  ",
            style=DIM,
        )
        con.print()
        for r in report.unexplained:
            if r.disassembly:
                con.print()
            head = Text("  - ")
            head.append(abbreviate(residual_where(r), self.width - 30), style=WARN)
            amount = nbytes(r.bytes)
            pad = self.width - head.cell_len - len(amount)
            head.append(" " * max(2, pad)).append(amount, style="bold")
            con.print(head)
            if r.a_range or r.b_range:
                con.print(Text(INDENT + f"A {span(r.a_range)}   B {span(r.b_range)}", style=DIM))
            if r.note:
                self._wrap(con, r.note, indent=INDENT, style="italic")
            self._disassembly(con, r)

    def _disassembly(self, con: Console, r: Residual) -> None:
        if not r.disassembly:
            return
        col = (self.width - len(INDENT) - 3) // 2 - 3
        for x, y in r.disassembly[:MAX_DISASSEMBLY]:
            t = Text(INDENT)
            t.append("A: ", style="bold").append(f"{abbreviate(x or '', col):<{col}}", style=A_STYLE)
            t.append(" │ ", style=DIM)
            t.append("B: ", style="bold").append(abbreviate(y or "", col), style=B_STYLE)
            con.print(t)
        rest = len(r.disassembly) - MAX_DISASSEMBLY
        if rest > 0:
            con.print(Text(INDENT + f"… and {rest} more instruction pairs", style=DIM))

    def _notes(self, con: Console, report: DiffReport) -> None:
        if not report.notes:
            return
        con.print()
        con.print(Text("Notes", style="bold underline"))
        for note in report.notes:
            for i, ln in enumerate(
                textwrap.wrap(note, self.width - 4, break_on_hyphens=False, break_long_words=False)
            ):
                con.print(Text(("  - " if i == 0 else "    ") + ln, style=WARN if i == 0 else ""))
