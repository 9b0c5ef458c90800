"""Stamps in generated text files of a package: the version of the tool that wrote them, and the
build date.

Packaging tools write small text files whose only differences between two builds of one source
are stamps: debhelper marks the snippets it adds to maintainer scripts (``# Automatically added
by dh_installsystemd/13.31``), man page generators write the build date, which is
SOURCE_DATE_EPOCH, each side's latest changelog entry (``.\\" Date: 04/12/2026``). A file whose
every differing line is such a stamp is explained; one other difference leaves it unexplained.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zlib
from dataclasses import dataclass

from godet.explain.detectors.base import Evidence
from godet.explain.tree import NodeCause

MAX_TEXT = 4 << 20  # bytes of (decompressed) text compared line by line
MAX_LINES = 20_000
MAX_EVIDENCE = 6

# "<marker> <tool>[/ ]<version>": debhelper's snippet markers and generators' signatures
TOOL_STAMP = re.compile(
    r"(?:Automatically added by|[Gg]enerated by|Generator:|[Cc]reated by)\s+"
    r"(?P<tool>[A-Za-z][\w.+-]*(?: [A-Z][\w.+-]*)*?)[/ ]v?(?P<version>\d[\w.~+:-]*)"
)
# how a build date is written into generated text (man pages, docs), each side's epoch rendered alike
DATE_FORMATS = (
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %Y",
    "%b %Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
)


# the generator a whole file names in its first lines (not a snippet's marker)
GENERATOR = re.compile(
    r"(?:[Gg]enerated by|Generator:)\s+(?P<tool>[A-Za-z][\w.+-]*(?: [A-Z][\w.+-]*)*?)"
    r"[/ ]v?(?P<version>\d[\w.~+:-]*)"
)
GENERATOR_HEAD = 4096  # characters of a file's start where its generator is named
# debhelper's snippets in maintainer scripts, from their marker to their end
SNIPPET_START = re.compile(
    r"#\s*Automatically added by\s+(?P<tool>[A-Za-z][\w.+-]*)/(?P<version>\d[\w.~+:-]*)"
)
SNIPPET_END = re.compile(r"#\s*End automatically added section")
MAX_SNIPPET_LINES = 2_000  # lines of a script aligned line by line (difflib: quadratic at worst)


@dataclass(frozen=True)
class Stamps:
    """What every differing line of two texts is: tool versions, build dates, package versions; or,
    when other lines differ too (``regenerated``), the other version of the tool that wrote it."""

    tools: tuple[tuple[str, str, str], ...]  # (tool, version in A, version in B)
    dates: tuple[tuple[str, str], ...]  # (date in A, date in B)
    versions: tuple[tuple[str, str], ...] = ()  # (package version in A, in B)
    regenerated: bool = False


@dataclass(frozen=True)
class Side:
    """What one package's generated text may name: its version, and its build date (the epoch)."""

    version: str | None
    epoch: float | None


def text_of(raw: bytes | None) -> str | None:
    """``raw`` as text (gzip-decompressed when it is gzip, bounded), or None for binary data."""
    if raw is None:
        return None
    if raw[:2] == b"\x1f\x8b":
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = d.decompress(raw, MAX_TEXT)
        except zlib.error:
            return None
        if d.unconsumed_tail:
            return None
    if len(raw) > MAX_TEXT or b"\0" in raw:
        return None
    return raw.decode("utf-8", "replace")


def stamps(text_a: str, text_b: str, a: Side, b: Side) -> Stamps | None:
    """The stamps that are the only differences of two texts, or None when anything else differs."""
    la, lb = text_a.splitlines(), text_b.splitlines()
    if len(la) != len(lb) or len(la) > MAX_LINES:
        return _regenerated(text_a, text_b)  # a stamp replaces a line, it adds or removes none
    tools: dict[tuple[str, str, str], None] = {}
    seen: dict[str, dict[tuple[str, str], None]] = {"date": {}, "version": {}}
    pairs = _substitutions(a, b)
    for x, y in zip(la, lb, strict=True):
        if x == y:
            continue
        tool = _tool_stamp(x, y)
        if tool is not None:
            tools[tool] = None
            continue
        found = _substituted(x, y, pairs)
        if found is None:
            return _regenerated(text_a, text_b)
        for kind, pair in found:
            seen[kind][pair] = None
    if not (tools or seen["date"] or seen["version"]):
        return None
    return Stamps(tuple(tools), tuple(seen["date"]), tuple(seen["version"]))


def _regenerated(text_a: str, text_b: str) -> Stamps | None:
    """Two texts that differ beyond stamps, each naming at its start the same generator in another
    version (``.\\" Generator: Asciidoctor 2.0.23`` vs ``2.0.26``), or differing only inside
    snippets other versions of their tools added: those tools write their output otherwise. None
    when no such generator is named."""
    snippets = _regenerated_snippets(text_a.splitlines(), text_b.splitlines())
    if snippets is not None:
        return snippets
    ma, mb = GENERATOR.search(text_a[:GENERATOR_HEAD]), GENERATOR.search(text_b[:GENERATOR_HEAD])
    if ma is None or mb is None or ma.group("version") == mb.group("version"):
        return None
    if _tool_stamp(_line_at(text_a, ma.start()), _line_at(text_b, mb.start())) is None:
        return None  # the generator's own line differs in more than its version (a host, a path)
    return Stamps(((ma.group("tool"), ma.group("version"), mb.group("version")),), (), regenerated=True)


def _snippet_tools(lines: list[str]) -> tuple[list[tuple[str, str] | None], dict[str, str]]:
    """Per line, the (tool, version) whose marked snippet holds it (``# Automatically added by
    dh_installsystemd/13.31`` to ``# End automatically added section``), else None; and each
    tool's version."""
    inside: list[tuple[str, str] | None] = []
    versions: dict[str, str] = {}
    current: tuple[str, str] | None = None
    for line in lines:
        m = SNIPPET_START.search(line)
        if m is not None:
            current = (m.group("tool"), m.group("version"))
            versions.setdefault(*current)
        inside.append(current)
        if current is not None and SNIPPET_END.search(line):
            current = None
    return inside, versions


def _regenerated_snippets(la: list[str], lb: list[str]) -> Stamps | None:
    """Two scripts whose every differing line lies in a snippet a tool added, when the same tools
    added them in other versions (debhelper 13.31 adds dh_installsystemd's stop snippet to prerm
    twice, 13.24.2 once): the tools' output differs, not the package's own text."""
    if max(len(la), len(lb)) > MAX_SNIPPET_LINES:
        return None
    (ia, va), (ib, vb) = _snippet_tools(la), _snippet_tools(lb)
    tools = tuple((t, va[t], vb[t]) for t in va if t in vb and va[t] != vb[t])
    if not tools:
        return None
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if op != "equal" and (None in ia[a0:a1] or None in ib[b0:b1]):
            return None
    return Stamps(tools, (), regenerated=True)


def _line_at(text: str, i: int) -> str:
    return text[text.rfind("\n", 0, i) + 1 : (text.find("\n", i) + 1 or len(text) + 1) - 1]


def _substitutions(a: Side, b: Side) -> list[tuple[str, str, str]]:
    """(kind, A's string, B's string) a generated line may hold: the package versions, then each
    side's build date in the usual formats (longest first)."""
    out = []
    if a.version and b.version and a.version != b.version:
        out.append(("version", a.version, b.version))
    if a.epoch is not None and b.epoch is not None:
        da = dt.datetime.fromtimestamp(a.epoch, dt.UTC)
        db = dt.datetime.fromtimestamp(b.epoch, dt.UTC)
        dates = {(da.strftime(f), db.strftime(f)) for f in DATE_FORMATS}
        out += [("date", x, y) for x, y in sorted(dates, key=lambda p: -len(p[0])) if x != y]
    return out


def _substituted(
    x: str, y: str, pairs: list[tuple[str, str, str]]
) -> list[tuple[str, tuple[str, str]]] | None:
    """The stamps two lines differ by (each side's string replaced by one mark), or None when the
    lines still differ after every replacement."""
    found = []
    for kind, sa, sb in pairs:
        if sa in x and sb in y:
            x, y = x.replace(sa, "\0" + kind), y.replace(sb, "\0" + kind)
            found.append((kind, (sa, sb)))
    return found if found and x == y else None


def _tool_stamp(x: str, y: str) -> tuple[str, str, str] | None:
    """(tool, version A, version B) when two lines differ only in a tool's version."""
    mx, my = TOOL_STAMP.search(x), TOOL_STAMP.search(y)
    if mx is None or my is None or mx.group("tool") != my.group("tool"):
        return None
    if x[: mx.start("version")] + x[mx.end("version") :] != y[: my.start("version")] + y[my.end("version") :]:
        return None
    return mx.group("tool"), mx.group("version"), my.group("version")


def stamp_causes(found: Stamps, versions_differ: bool) -> list[NodeCause]:
    """Causes for a file whose differences are ``found``: the tools' versions are the build
    environment's (a root); dates at each side's SOURCE_DATE_EPOCH follow its changelog, so the
    package version (a consequence when the versions differ)."""
    out = []
    if found.regenerated:
        names = ", ".join(f"{t} {a} vs {b}" for t, a, b in found.tools[:3])
        return [
            NodeCause(
                "build-dependencies",
                f"written by other versions of the tools that generated it ({names}), which write their "
                "output otherwise: the build environment differs",
                [Evidence(t, a, b) for t, a, b in found.tools[:MAX_EVIDENCE]],
            )
        ]
    if found.tools:
        names = ", ".join(f"{t} {a} vs {b}" for t, a, b in found.tools[:3])
        out.append(
            NodeCause(
                "build-dependencies",
                f"generated by other versions of the build tools ({names}): the build environment differs",
                [Evidence(t, a, b) for t, a, b in found.tools[:MAX_EVIDENCE]],
            )
        )
    if found.dates:
        summary = (
            "the build date written into the text is each side's SOURCE_DATE_EPOCH, its latest changelog "
            "entry: " + ", ".join(f"{a} vs {b}" for a, b in found.dates[:3])
        )
        ev = [Evidence("build date", a, b) for a, b in found.dates[:MAX_EVIDENCE]]
        role, because = ("consequence", "package-version") if versions_differ else ("root", None)
        out.append(NodeCause("embedded-timestamp", summary, ev, role=role, because=because))
    if found.versions:
        a, b = found.versions[0]
        out.append(
            NodeCause(
                "package-version",
                f"the text names the package version: {a} vs {b}",
                [Evidence("package version", a, b)],
                role="consequence",
                because="package-version",
            )
        )
    return out
