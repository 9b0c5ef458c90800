"""The report tree: one node per compared thing (source, image, manifest, config, layer, member,
Go binary), each with its own status and causes; a Go binary node holds the full DiffReport.

``diff_trees(a, b)`` opens two sources (stage 0), pairs them (by path; images by platform and
role) and builds a :class:`TreeReport`. A tree is identical only when every byte of every member
is: a differing member that no detector explains still gets a located content difference.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from godet.explain.causes import CAUSES
from godet.explain.detectors.base import Evidence

TREE_SCHEMA_VERSION = 1
STATUSES = ("identical", "different", "only-a", "only-b", "error")
LEAF_KINDS = ("file", "binary", "symlink", "dir", "hardlink", "other", "archive")
IMAGE_KINDS = ("image", "index", "manifest", "config", "layer", "blob")


@dataclass
class NodeCause:
    """A cause named on a node: a container cause, or a Go cause rolled up from a binary report."""

    id: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    role: str = ""  # "" = the catalog default
    because: str | None = None

    def __post_init__(self) -> None:
        if not self.role:
            self.role = "consequence" if CAUSES[self.id].consequence else "root"

    @property
    def title(self) -> str:
        return CAUSES[self.id].title

    @property
    def fix(self) -> str:
        return CAUSES[self.id].fix

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "role": self.role,
            "because": self.because,
            "summary": self.summary,
            "evidence": [e.to_json() for e in self.evidence],
            "fix": self.fix,
        }


@dataclass
class Content:
    """Where two member contents first differ (exact offset, or the start of the first differing block)."""

    offset: int
    exact: bool
    a_size: int
    b_size: int
    a_excerpt: str = ""  # a few bytes around the offset (printable text only)
    b_excerpt: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "exact": self.exact,
            "a_size": self.a_size,
            "b_size": self.b_size,
            "a_excerpt": self.a_excerpt,
            "b_excerpt": self.b_excerpt,
        }


@dataclass
class NodeSide:
    """One side of a node, summarised: size, digest and a short description."""

    size: int | None = None
    sha256: str = ""
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256, "detail": self.detail}


@dataclass
class Node:
    """One compared thing and its verdict."""

    name: str
    path: str  # location from the root, e.g. "manifest linux/amd64/layer 2/usr/bin/app"
    kind: str  # source | image | index | manifest | config | layer | blob | archive | file | binary | ...
    status: str = "identical"
    a: NodeSide | None = None
    b: NodeSide | None = None
    causes: list[NodeCause] = field(default_factory=list)
    content: Content | None = None
    report: Any = None  # godet.explain.report.DiffReport for a Go binary pair
    children: list[Node] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""
    rel: str = ""  # A's path of the member inside the source that holds it (not in the JSON)
    paths: tuple[str, str] | None = None  # A's and B's paths when they differ (not in the JSON)

    def walk(self) -> Any:
        yield self
        for c in self.children:
            yield from c.walk()

    def settle(self) -> str:
        """Set this node's status from its own findings and its children's (bottom-up); return it."""
        kids = [c.settle() for c in self.children]
        if self.status in ("only-a", "only-b", "error"):
            return self.status
        if (
            any(k != "identical" for k in kids)
            or self.causes
            or self.content
            or (self.report is not None and not self.report.identical)
        ):
            self.status = "different"
        return self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "kind": self.kind,
            "status": self.status,
            "a": self.a.to_json() if self.a else None,
            "b": self.b.to_json() if self.b else None,
            "causes": [c.to_json() for c in self.causes],
            "content": self.content.to_json() if self.content else None,
            "report": self.report.to_json() if self.report is not None else None,
            "notes": list(self.notes),
            "error": self.error or None,
            "children": [c.to_json() for c in self.children],
        }


@dataclass
class Rollup:
    """One cause across the tree: in how many members (binaries) it was found."""

    id: str
    role: str
    members: int  # archive members (files, binaries, links), binaries included
    binaries: int
    parts: int  # image parts (index, manifests, configs, layers) and whole archives
    bytes: int  # differing bytes it explains inside Go binaries
    where: list[str]  # the first few node paths
    image_parts: int = 0  # of ``parts``, those of an image (the rest are whole archives)

    def sentence(self) -> str:
        def n(k: int, one: str, many: str) -> str:
            return f"{k} {one if k == 1 else many}" if k else ""

        other = self.members - self.binaries
        said = [
            n(self.binaries, "binary", "binaries"),
            n(other, "member", "members"),
            n(self.parts - self.image_parts, "archive", "archives"),
            n(self.image_parts, "image part", "image parts"),
        ]
        return f"{self.id} in {' and '.join(x for x in said if x)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": CAUSES[self.id].title,
            "role": self.role,
            "members": self.members,
            "binaries": self.binaries,
            "parts": self.parts,
            "bytes": self.bytes,
            "where": list(self.where),
        }


@dataclass
class TreeReport:
    """The answer to ``godet diff A B`` for directories, archives, packages and images."""

    a: str
    b: str
    a_kind: str
    b_kind: str
    root: Node
    rollup: list[Rollup] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (node path, "PATH: problem")
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.root.status == "identical" and not self.errors

    @property
    def verdict(self) -> str:
        if self.identical:
            return "identical: every byte of every member is equal"
        roots = [r for r in self.rollup if r.role == "root"]
        if not roots:
            return "different"
        return "different: " + "; ".join(r.sentence() for r in roots[:3])

    def counts(self) -> dict[str, int]:
        """Members (files, binaries, links) by status; members of layers equal by digest are not opened."""
        c = Counter(n.status for n in self.root.walk() if n.kind in LEAF_KINDS)
        return {s: c.get(s, 0) for s in STATUSES}

    def layer_counts(self) -> dict[str, int]:
        c = Counter(n.status for n in self.root.walk() if n.kind == "layer")
        return {s: c.get(s, 0) for s in STATUSES}

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": TREE_SCHEMA_VERSION,
            "kind": "tree",
            "a": {"path": self.a, "kind": self.a_kind},
            "b": {"path": self.b, "kind": self.b_kind},
            "identical": self.identical,
            "verdict": self.verdict,
            "counts": self.counts(),
            "layers": self.layer_counts(),
            "rollup": [r.to_json() for r in self.rollup],
            "errors": [{"path": p, "problem": e} for p, e in self.errors],
            "notes": list(self.notes),
            "root": self.root.to_json(),
        }


def rollup(root: Node) -> list[Rollup]:
    """Causes across the tree, roots first, then by the number of members they were found in."""
    acc: dict[tuple[str, str], Rollup] = {}
    reach: Counter[str] = Counter()  # nodes whose consequences name a root as their cause
    for n in root.walk():
        reach.update({c.because for c in n.causes if c.role != "root" and c.because})
        seen: set[tuple[str, str]] = set()
        items: list[tuple[str, str, int, bool]] = [(c.id, c.role, 0, False) for c in n.causes]
        if n.report is not None and not n.report.identical:
            items += [(f.cause, f.role, f.bytes, True) for f in n.report.causes]
        for cid, role, nbytes, is_bin in items:
            key = (cid, role)
            r = acc.setdefault(key, Rollup(cid, role, 0, 0, 0, 0, []))
            r.bytes += nbytes
            if key in seen:
                continue
            seen.add(key)
            if n.kind in LEAF_KINDS:
                r.members += 1
                r.binaries += is_bin
            else:
                r.parts += 1
                r.image_parts += n.kind in IMAGE_KINDS
            if len(r.where) < 5:
                r.where.append(n.path)
    return sorted(
        acc.values(),
        key=lambda r: (
            r.role != "root",
            -r.members - r.parts - (reach[r.id] if r.role == "root" else 0),
            -r.bytes,
            r.id,
        ),
    )


def diff_trees(a: str, b: str, deep: bool = False, progress: bool = False) -> TreeReport:
    """Open ``a`` and ``b`` as sources and compare them member by member."""
    from godet.explain.containers.members import (
        TreeContext,
        diff_sources,
        differs,
        first_difference,
        outside_members,
        run_binaries,
    )
    from godet.sources import Opener, open_source

    same = _same_file_bytes(a, b)
    if same is not None:
        root = Node(f"{a} ↔ {b}", "", "source", a=NodeSide(same[0], same[1]), b=NodeSide(same[0], same[1]))
        return TreeReport(a, b, "file", "file", root, notes=["the two files are byte-for-byte equal"])
    with Opener() as opener:
        sa = open_source(opener, a)
        sb = open_source(opener, b)
        ctx = TreeContext(opener, deep=deep, epoch=_epoch(), progress=progress)
        with _Progress(progress) as ctx.advance:
            root = diff_sources(ctx, sa, sb, "")
            run_binaries(ctx)
        if os.path.isfile(a) and os.path.isfile(b) and not differs(root):
            outside_members(root, sa.kind, first_difference(a, b))  # the files differ (not the same bytes)
        root.name = f"{a} ↔ {b}"
        root.settle()
        rep = TreeReport(a, b, sa.kind, sb.kind, root, errors=ctx.errors)
        rep.rollup = rollup(root)
        _blame_cascade(root, rep.rollup)
        return rep


def _blame_cascade(root: Node, roll: list[Rollup]) -> None:
    """Digest-cascade consequences follow from the root cause found in the most places."""
    top = next((r.id for r in roll if r.role == "root"), None)
    if top is None:
        return
    for n in root.walk():
        for c in n.causes:
            if c.id == "digest-cascade" and c.because is None:
                c.because = top


class _Progress:
    """A spinner with a count of compared members on stderr (TTY only); a no-op otherwise."""

    EVERY = 25  # redraw every so many members

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.n = 0
        self._bar: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda _path: None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("comparing {task.completed:,} members · {task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("", total=None)

        def advance(path: str) -> None:
            self.n += 1
            if self.n % self.EVERY == 0 or path.endswith(("binary",)):
                self._bar.update(task, completed=self.n, description=path[-60:])

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _same_file_bytes(a: str, b: str) -> tuple[int, str] | None:
    """(size, sha256) when ``a`` and ``b`` are regular files with equal bytes (the cheapest answer)."""
    from godet.sources.open import file_sha256

    try:
        if not (os.path.isfile(a) and os.path.isfile(b)) or os.path.getsize(a) != os.path.getsize(b):
            return None
        ha = file_sha256(a)
        return (os.path.getsize(a), ha) if ha == file_sha256(b) else None
    except OSError:
        return None


def _epoch() -> int | None:
    v = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(v) if v.isdigit() else None
