"""Content family: files embedded with go:embed in an ``embed.FS`` (found by table shape, also stripped)."""

from __future__ import annotations

import difflib

from godet.explain.causes import EMBED_USERS, LISTED_VERSIONS
from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    State,
    bumped_modules,
    digest,
    from_first_diff,
    mostly_text,
    preview,
    read_at,
    va_claims,
)
from godet.read.binary import Binary
from godet.read.coderefs import data_refs, loads_at
from godet.read.embed import EmbedFile, EmbedTable
from godet.read.inltree import function_at_pc
from godet.read.owners import package_of

EMITS: frozenset[str] = frozenset(["embedded-content"])


def detect(ctx: DiffContext) -> list[Finding]:
    """``embed.FS`` file tables of both builds (found by their shape): the files whose data differs."""
    st = State.of(ctx)
    ta, tb = ctx.a.embed_tables, ctx.b.embed_tables
    if not ta or not tb:
        return []
    out = []
    for t, u in pair_tables(ta, tb):
        fa = {f.name: f for f in t.files}
        fb = {f.name: f for f in u.files}
        ev, claims, places = [], [], []
        listing = _Listing(ctx)  # whether the files list the modules the builds differ in
        for name in dict.fromkeys([*fa, *fb]):
            x, y = fa.get(name), fb.get(name)
            da = read_at(ctx.a, x.data_va, x.data_len) if x else None
            db = read_at(ctx.b, y.data_va, y.data_len) if y else None
            if x is not None and y is not None and _same(x, y, da, db):
                continue
            c: list[Claim] = []
            for side, binary, f in (("a", ctx.a, x), ("b", ctx.b, y)):
                if f is not None:
                    c += va_claims(side, binary, f.data_va, f.data_len)
                    c += va_claims(side, binary, f.entry_va, f.entry_size)
            claims += c
            places.append(name)
            listing.add(name, x is not None and y is not None, da, db)
            ev.append(Evidence(f"embedded file {name}", _shown(x, da), _shown(y, db)))
            if da is not None and db is not None and mostly_text(da) and mostly_text(db):
                ev.append(
                    Evidence(
                        f"{name} (start)", preview(from_first_diff(da, db)), preview(from_first_diff(db, da))
                    )
                )
        if not claims:
            continue
        st.take(claims)
        ev = ev[:15]
        users = [_users(ctx.a, t), _users(ctx.b, u)]
        if users[0] or users[1]:  # (last: the files come first)
            ev.append(Evidence(EMBED_USERS, ", ".join(users[0]) or None, ", ".join(users[1]) or None))
        listed = listing.modules()
        if listed:
            mods = ", ".join(sorted(listed))
            ev.append(Evidence(LISTED_VERSIONS, mods, mods))
        # (without symbols, the FS is named by the packages that use it)
        owner = ", ".join(users[1] or users[0])
        var = (t.symbol or "").removesuffix(".files") or (
            f"an embed.FS of {owner}" if owner else "an embed.FS"
        )
        out.append(
            Finding(
                "embedded-content",
                f"Files embedded with go:embed in {var} differ: "
                + ", ".join(places[:8])
                + (" …" if len(places) > 8 else "")
                + ".",
                ev[:16],
                claims,
                places=places[:50],
            )
        )
    return out


def _users(binary: Binary, table: EmbedTable) -> list[str]:
    """The packages whose code loads the table's embed.FS variable (a data word pointing at the
    table's header) or the header itself, inlined calls told by their own function: the package that
    embeds the files (its module owns them)."""
    if binary.pclntab is None:
        return []
    where, _ = data_refs(binary.image, table.va, table.va + 1)
    pcs = loads_at(binary, [table.va, *where.tolist()])[:MAX_LOADS]
    return sorted({p for pc in pcs if (p := package_of(function_at_pc(binary, pc) or ""))})[:MAX_USERS]


MAX_USERS = 8  # packages named as an embed.FS's users
MAX_LOADS = 64  # loads of one embed.FS looked at


def pair_tables(ta: list[EmbedTable], tb: list[EmbedTable]) -> list[tuple[EmbedTable, EmbedTable]]:
    """A's tables with their counterparts in B, in A's order. First by variable symbol (when both
    have one), then by the most file names shared, then the rest by index or the first unused one:
    stripped binaries list their tables in layout order, which another toolchain or dependency set
    may change."""
    match: dict[int, int] = {}
    for i, t in enumerate(ta):
        j = next((j for j, u in enumerate(tb) if t.symbol and u.symbol == t.symbol), None)
        if j is not None and j not in match.values():
            match[i] = j
    names_b = [{f.name for f in u.files} for u in tb]
    overlaps = sorted(
        (
            (len({f.name for f in t.files} & nb), i, j)
            for i, t in enumerate(ta)
            for j, nb in enumerate(names_b)
        ),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    for shared, i, j in overlaps:
        if shared and i not in match and j not in match.values():
            match[i] = j
    for i in range(len(ta)):
        free = [j for j in range(len(tb)) if j not in match.values()]
        if i not in match and free:
            match[i] = i if i in free else free[0]
    return [(ta[i], tb[match[i]]) for i in sorted(match)]


def _same(x: EmbedFile, y: EmbedFile, da: bytes | None, db: bytes | None) -> bool:
    """Whether two entries hold the same file: the same data when both can be read (the recorded
    hash is not compared then: go1.24 and go1.26 c-shared builds store the same file's truncated
    SHA-256 with other first bytes, directories' and empty files' too), else the same recorded hash
    and length."""
    if x.data_len == y.data_len == 0:
        return True  # two directories (or empty files): nothing of theirs is stored
    if da is not None and db is not None:
        return da == db
    return da is None and db is None and x.hash == y.hash and x.data_len == y.data_len


def _shown(f: EmbedFile | None, data: bytes | None) -> str | None:
    """An embedded file as evidence: absent (None), a directory, or its size and digest."""
    if f is None:
        return None
    if f.name.endswith("/"):
        return "directory"
    return digest(data) if data is not None else f"{f.data_len:,} bytes, unreadable"


MAX_LISTING = 1 << 20  # bytes of an embedded text file compared line by line at most


class _Listing:
    """Whether the differing files of an embed.FS list the modules whose versions differ: each is a
    listing of them (``listed_versions``), or a file whose path names such a module (a licence file
    the build copied from it: ``third-party/github.com/x/y/LICENSE``), or a directory in one build
    only that holds such files."""

    def __init__(self, ctx: DiffContext) -> None:
        self.ctx = ctx
        self.named: set[str] | None = set()
        self.dirs: list[str] = []
        self.files: list[str] = []
        self.differ = bumped_modules(ctx)

    def add(self, name: str, both: bool, da: bytes | None, db: bytes | None) -> None:
        if self.named is None:
            return
        if name.endswith("/") and not both:
            self.dirs.append(name)
            return
        mods = [p for p in self.differ if _names(name, p)]
        got = set(mods) if mods else listed_versions(self.ctx, da, db) if both else None
        self.named = None if got is None else self.named | got
        self.files.append(name)

    def modules(self) -> set[str]:
        """The modules listed, or none when a file (or a directory holding none of the files) is
        something else."""
        if not self.named or any(not any(f.startswith(d) for f in self.files) for d in self.dirs):
            return set()
        return self.named


def listed_versions(ctx: DiffContext, da: bytes | None, db: bytes | None) -> set[str] | None:
    """The modules a text file embedded in both builds lists, when its changes are all about
    modules whose versions differ (a licence report or an SBOM the build generated from the module
    list): every changed line names such a module (bumped, or in one build only), and the changed
    lines that name none are the same on both sides. None when some change is anything else."""
    if ctx.a.buildinfo is None or ctx.b.buildinfo is None or da is None or db is None:
        return None
    if max(len(da), len(db)) > MAX_LISTING or not (mostly_text(da) and mostly_text(db)):
        return None
    differ = bumped_modules(ctx)
    ta, tb = da.decode("utf-8", "replace"), db.decode("utf-8", "replace")
    if not any(p in ta or p in tb for p in differ):
        return None  # (no module the builds differ in is named: no listing of them; no line diff)
    la, lb = ta.splitlines(), tb.splitlines()
    named: set[str] = set()
    sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        rest = []
        for lines in (la[i1:i2], lb[j1:j2]):
            other = []
            for line in lines:
                mods = [p for p in differ if _names(line, p)]
                named.update(mods)
                if not mods:
                    other.append(line)
            rest.append(sorted(other))
        if rest[0] != rest[1]:
            return None
    return named


def _names(line: str, path: str) -> bool:
    """Whether a line names the module (its path, as a whole path element sequence)."""
    k = line.find(path)
    while k >= 0:
        end = k + len(path)
        if (k == 0 or (not line[k - 1].isalnum() and line[k - 1] not in ".-_")) and (
            end == len(line) or not (line[end].isalnum() or line[end] in ".-_")
        ):
            return True
        k = line.find(path, k + 1)
    return False
