"""What a detector sees (DiffContext) and what it says (Finding with Claims on differing bytes).

A detector is a function ``detect(ctx) -> list[Finding]``. Each Finding names one cause from
the catalog, gives evidence side by side, and *claims* the differing bytes it explains:

- ``Claim.range(side, start, end)``: file offsets in A or B;
- ``Claim.unit(key)``: all remaining differing bytes of a unit (and its sub-units, ``key/...``);
- ``Claim.runs(mask)``: an explicit boolean mask over the run table (e.g. address shifts);

``fallback=True`` claims are settled only after every finding's primary claims, so a broad
explanation (a different toolchain explains all code) never takes bytes from a specific one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from godet.explain.causes import CAUSES, is_broad
from godet.read.owners import names_package
from godet.read.strdata import WRITABLE_DATA, section_name

if TYPE_CHECKING:
    from godet.compare.layout import Comparison
    from godet.read.binary import Binary


def raw_bytes(text: str) -> bytes:
    """The bytes a string read from a binary came from (undecodable bytes kept as surrogates)."""
    return text.encode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: what A has and what B has (None = absent)."""

    label: str
    a: str | None
    b: str | None

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class Claim:
    """Differing bytes a finding explains (see module docstring)."""

    side: str = ""  # "a" | "b" for range claims
    start: int = 0
    end: int = 0
    unit_key: str = ""
    mask: Any = None  # np.ndarray[bool] over the run table
    fallback: bool = False

    @staticmethod
    def range(side: str, start: int, end: int, fallback: bool = False) -> Claim:
        return Claim(side=side, start=start, end=end, fallback=fallback)

    @staticmethod
    def unit(key: str, fallback: bool = False) -> Claim:
        return Claim(unit_key=key, fallback=fallback)

    @staticmethod
    def runs(mask: np.ndarray, fallback: bool = False) -> Claim:
        return Claim(mask=mask, fallback=fallback)


# The evidence label of a pair of source-path prefixes (paths.py): a difference both builds record.
PATH_PREFIX = "path prefix"

# Settlement ranks, read from the catalog (kept as a mapping for detectors that compare ranks).
RANK = {cid: c.rank for cid, c in CAUSES.items()}


@dataclass
class Finding:
    """One named cause with its evidence, fix and claims; the engine fills bytes and share."""

    cause: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    role: str = ""  # "" = the catalog default (root, or consequence for consequence causes)
    key: str | None = None
    because: str | None = None  # for consequences: the root cause they follow from
    because_key: str | None = None  # that root's key (a build setting, a module…)
    fix: str | None = None
    places: list[str] = field(default_factory=list)  # human names of where (structures, functions)
    bytes: int = 0  # for a root: its own bytes plus those of its consequences
    direct_bytes: int = 0  # the bytes its own claims took
    share: float = 0.0
    regions: list[dict[str, Any]] = field(default_factory=list)
    owners: list[dict[str, Any]] = field(default_factory=list)  # code by owner: module, functions, bytes
    keys: list[str] = field(default_factory=list)  # a grouped finding: the keys of its members
    traits: frozenset[str] = frozenset()  # facts of its evidence the model's edge conditions read
    root: Finding | None = field(default=None, repr=False, compare=False)  # a consequence's root

    def __post_init__(self) -> None:
        entry = CAUSES[self.cause]
        if not self.role:
            self.role = "consequence" if entry.consequence else "root"
        if self.fix is None:
            self.fix = entry.fix

    @property
    def rank(self) -> int:
        return CAUSES[self.cause].rank

    def in_both(self) -> bool:
        """Its main evidence has a value in both builds (a flag or version recorded on both sides)."""
        ev = self.evidence[0] if self.evidence else None
        return ev is not None and ev.a is not None and ev.b is not None

    def one_sided(self) -> bool:
        """Its main evidence has a value in exactly one build."""
        ev = self.evidence[0] if self.evidence else None
        return ev is not None and (ev.a is None) != (ev.b is None)

    @property
    def title(self) -> str:
        return CAUSES[self.cause].title


@dataclass
class DiffContext:
    """Both builds and their comparison, plus shared helpers for detectors."""

    a: Binary
    b: Binary
    cmp: Comparison
    findings: list[Finding] = field(default_factory=list)  # filled as detectors run (in order)
    deep: bool = False  # --deep: normalise and disassemble every changed function, not a sample

    _inflated: dict[str, tuple[bytes, bytes] | None] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # facts of this pair detectors compute once

    def inflated(self, unit_key: str) -> tuple[bytes, bytes] | None:
        """Decompressed contents of a compressed unit in A and B (cached), or None if unreadable."""
        if unit_key not in self._inflated:
            self._inflated[unit_key] = self._inflate(unit_key)
        return self._inflated[unit_key]

    def _inflate(self, unit_key: str) -> tuple[bytes, bytes] | None:
        from godet.errors import FormatError
        from godet.read.dwarf import canonical_name, section_data

        out = []
        for b in (self.a, self.b):
            sec = b.image.section(unit_key)
            if sec is None:
                return None
            c = canonical_name(sec, b.image.fmt)
            try:
                out.append(bytes(section_data(b.image, sec, bool(c and c[1]))))
            except FormatError:
                return None
        return out[0], out[1]

    def top_root(self) -> Finding | None:
        """The root finding with the most primary claims (before settlement: a good guess)."""
        roots = [f for f in self.findings if f.role == "root"]
        return min(roots, key=lambda f: f.rank) if roots else None

    def has(self, cause: str, key: str | None = None) -> Finding | None:
        for f in self.findings:
            if f.cause == cause and (key is None or f.key == key):
                return f
        return None

    def gap_beside(self, side: str, lo: int, hi: int) -> list[Claim]:
        """The bytes a value one build alone holds added, when the alignment put them beside it.

        A variable ``[lo, hi)`` that only ``side`` holds among neighbours of its size (string
        headers in .data) leaves a gap of its size, which the byte alignment may place at the
        next or previous neighbour instead (the runtime's defaultGOROOT and buildVersion): a run
        that only ``side`` has, exactly that long, ending at ``lo`` or starting at ``hi``."""
        runs = self.cmp.runs
        if not len(runs):
            return []
        mine, other = (runs.a0, runs.a1), (runs.b0, runs.b1)
        if side == "b":
            mine, other = other, mine
        n = hi - lo
        hit = (other[0] < 0) & (mine[1] - mine[0] == n) & ((mine[0] == hi) | (mine[1] == lo))
        return [Claim.range(side, int(mine[0][i]), int(mine[1][i])) for i in np.flatnonzero(hit)]

    def units(self, prefix: str = "") -> list[str]:
        """Differing unit keys (of the run table) that start with ``prefix``."""
        return [u for u in self.cmp.runs.units if u.startswith(prefix)]

    def string_claims(
        self, a_value: bytes, b_value: bytes, limit: int = 10_000, table: str | None = None
    ) -> list[Claim]:
        """Range claims for every occurrence of A's value in A and B's value in B.

        ``table`` limits the search to one pclntab table (e.g. "filetab") of each side.
        """
        claims: list[Claim] = []
        for side, binary, needle in (("a", self.a, a_value), ("b", self.b, b_value)):
            if not needle:
                continue
            if table is not None:
                span = binary.pclntab.tables.get(table) if binary.pclntab is not None else None
                if span is None:
                    continue
                spans = [(span[0], span[0] + span[1])]
            else:
                spans = self._data_spans(side, binary)
            left = limit
            for pos, end in spans:
                while left > 0:
                    hit = binary.image.find(needle, pos, end)
                    if hit < 0:
                        break
                    claims.append(Claim.range(side, hit, hit + len(needle)))
                    pos, left = hit + 1, left - 1
        return claims

    def record_claims(self, side: str, starts: list[int]) -> list[Claim]:
        """Range claims on what the pclntab of ``side`` holds for the functions whose code starts at
        file offsets ``starts`` besides their code: names, _func records, pc-value tables
        (Pclntab.record_spans). A cause that changed a function's code changed these with it."""
        binary = self.a if side == "a" else self.b
        tab = binary.pclntab
        if tab is None or not starts:
            return []
        offs = np.asarray(starts, dtype=np.int64)
        vas = np.full(len(offs), -1, dtype=np.int64)
        for sec in binary.image.sections:
            if sec.alloc and sec.in_file and sec.size > 0:
                inside = (offs >= sec.offset) & (offs < sec.offset + sec.size)
                vas[inside] = offs[inside] - sec.offset + sec.addr
        idx = tab.indexes_at(vas[vas >= 0].astype(np.uint64))
        idx = np.unique(idx[idx >= 0])
        return [Claim.range(side, s, e) for s, e in tab.record_spans(idx).tolist()]

    def _data_spans(self, side: str, binary: Binary) -> list[tuple[int, int]]:
        """The file less its executable sections (strings are data: Go keeps none in code), in order."""
        key = f"data_spans_{side}"
        if key not in self.memo:
            size = binary.image.size
            code = sorted(
                (max(0, s.offset), min(size, s.offset + s.size))
                for s in binary.image.sections
                if s.executable and s.in_file and s.size > 0
            )
            spans, pos = [], 0
            for lo, hi in code:
                if lo > pos:
                    spans.append((pos, lo))
                pos = max(pos, hi)
            if pos < size:
                spans.append((pos, size))
            self.memo[key] = spans
        return self.memo[key]


def cgo_one_side(ctx: DiffContext) -> bool:
    """Whether one build only links runtime/cgo (by its function names): cgo, and the C library and
    strings that come with it, are in that build alone. Computed once per pair."""
    if "cgo-one-side" not in ctx.memo:
        ta, tb = ctx.a.pclntab, ctx.b.pclntab
        ctx.memo["cgo-one-side"] = (
            ta is not None
            and tb is not None
            and names_package(ta.name_table(), "runtime/cgo") != names_package(tb.name_table(), "runtime/cgo")
        )
    return bool(ctx.memo["cgo-one-side"])


def variable_claims(ctx: DiffContext) -> list[Claim]:
    """Fallback claims on the writable data sections, where the package-level variables of code
    compiled into one build only (a module, the packages a change imports, new functions' tables)
    lie: without symbols their data cannot be told apart, and what nothing more specific claimed
    there is theirs."""
    tops = dict.fromkeys(u.split("/", 1)[0] for u in ctx.cmp.runs.units)
    return [Claim.unit(u, fallback=True) for u in tops if section_name(u) in WRITABLE_DATA]


def merged_ranges(claims: list[Claim]) -> dict[str, list[tuple[int, int]]]:
    """Per side, the range claims' spans sorted and merged where they overlap or touch."""
    out: dict[str, list[tuple[int, int]]] = {}
    for side in ("a", "b"):
        merged = merge_spans((c.start, c.end) for c in claims if c.side == side and c.end > c.start)
        if merged:
            out[side] = merged
    return out


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and merged where they overlap or touch."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


# What a detector may hit on odd inputs; the engine turns these into a note, never a crash.
EXTRA_DETECTOR_ERRORS = (ValueError, KeyError, IndexError, EOFError, OverflowError, UnicodeError, LookupError)


def settlement_order(findings: Iterable[Finding], fallback: bool) -> list[Finding]:
    """The order settlement gives findings' claims their bytes: by catalog rank for primary claims;
    for fallback claims the broad causes first (a toolchain change explains relinked code before a
    linkage change does), then by rank."""
    if fallback:
        return sorted(findings, key=lambda f: (not is_broad(f.cause, f.key), f.rank))
    return sorted(findings, key=lambda f: f.rank)
