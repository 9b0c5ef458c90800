"""Pair the members of two sources by path and explain each differing pair: metadata causes (times,
owners, modes, PAX records, links), nested archives, Go binaries (the full binary diff) and, for
any other content, a located first difference."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from godet.errors import GodetError
from godet.explain.detectors.base import Evidence
from godet.explain.tree import Content, Node, NodeCause, NodeSide
from godet.sources.base import BLOCK, Member, Opener, Source

MAX_EVIDENCE = 8


@dataclass
class TreeContext:
    """What every comparison of a tree shares: the opener, options, and errors met on the way."""

    opener: Opener
    deep: bool = False
    epoch: int | None = None  # SOURCE_DATE_EPOCH from the environment, when set
    package: Any = None  # the PackagePair of the .deb/.rpm pair being compared, if any
    progress: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)
    # deferred Go diffs, each with what its package tells the binaries' causal model
    # (node, A's member, B's member, the package's findings for the binaries, the package pair)
    binary_pairs: list[tuple[Node, Member, Member, tuple[Any, ...], Any]] = field(default_factory=list)
    advance: Any = field(default=lambda _path: None)  # progress callback, one call per member compared


def when(t: float | None) -> str:
    if t is None:
        return "—"
    try:
        return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") + f" ({int(t)})"
    except (OverflowError, OSError, ValueError):
        return str(t)


def side(m: Member | None) -> NodeSide | None:
    if m is None:
        return None
    detail = m.kind if m.kind != "file" else ""
    if m.linkname:
        detail = f"{m.kind} → {m.linkname}"
    return NodeSide(m.size if m.kind == "file" else None, m.sha256, detail)


def diff_sources(ctx: TreeContext, a: Source, b: Source, path: str) -> Node:
    """The node comparing two sources (their members, or their image graphs)."""
    node = Node(
        a.label,
        path or "",
        "image" if a.image is not None else "source",
        a=NodeSide(a.size or None, a.sha256, a.kind),
        b=NodeSide(b.size or None, b.sha256, b.kind),
    )
    node.notes += [f"A: {n}" for n in a.notes] + [f"B: {n}" for n in b.notes]
    if a.image is not None and b.image is not None:
        from godet.explain.containers.image import diff_images

        diff_images(ctx, a, b, node)
        if a.members or b.members:  # an image tar: the wrapper's own entries
            wrapper = diff_members(ctx, a, b, _join(path, "[wrapper]"), metadata=True, contents=False)
            if any(n.causes for n in wrapper.walk()):
                from godet.explain.containers.image import outer_wrapper

                outer_wrapper(node, wrapper)
        return node
    if (a.image is None) != (b.image is None):
        node.notes.append("one side is an image and the other is not: compared as plain archives")
    metadata = a.kind != "directory" and b.kind != "directory"
    from godet.explain.containers.packages import explain_packages, pair_packages

    pair = pair_packages(a, b)
    outer, ctx.package = ctx.package, pair or ctx.package
    try:
        inner = diff_members(ctx, a, b, path, metadata)
    finally:
        ctx.package = outer
    if pair is not None:
        explain_packages(pair, a, b, inner)
    node.children, node.causes = inner.children, inner.causes
    return node


def differs(n: Node) -> bool:
    """Whether anything differs in ``n`` or below it (before statuses are settled)."""
    if n.status != "identical" or n.causes or n.content is not None:
        return True
    if n.report is not None and not n.report.identical:
        return True
    return any(differs(c) for c in n.children)


def outside_members(node: Node, kind: str, where: Content | None) -> None:
    """Two archives whose bytes differ although every member and its compared metadata are equal:
    the difference is in the encoding (headers, padding, checksums, directory records); locate it."""
    node.content = where
    at = f" from byte {where.offset:,}" if where is not None and where.exact else ""
    node.causes.append(
        NodeCause(
            "tar-encoding" if kind.startswith("tar") else "unexplained",
            f"the {kind} archives differ{at} outside the members' contents and the metadata godet "
            "compares (headers, padding, checksums, directory records)",
            [Evidence("size", f"{where.a_size:,}", f"{where.b_size:,}")] if where is not None else [],
        )
    )


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def diff_members(
    ctx: TreeContext, a: Source, b: Source, path: str, metadata: bool, contents: bool = True
) -> Node:
    """A node whose children are the members of ``a`` and ``b`` paired by path."""
    from godet.explain.containers.pairing import pairs

    holder = Node("members", path, "members")
    paired = pairs(a, b)
    single = _single_executables(a, b, paired) if contents and not path else None
    if single is not None:
        (pa, xa), (pb, xb) = single
        paired = [p for p in paired if p[1] != pa and p[2] != pb]
        holder.children.append(diff_member(ctx, xa, xb, f"{pa} ↔ {pb}", metadata))
        holder.children[-1].rel = pa
        holder.children[-1].paths = (pa, pb)
    for key, na, nb in paired:
        ctx.advance(key)
        label = key if na is None or nb is None or na == nb else f"{na} ↔ {nb}"
        holder.children.append(
            diff_member(
                ctx,
                a.members.get(na) if na else None,
                b.members.get(nb) if nb else None,
                _join(path, label),
                metadata,
                contents,
            )
        )
        holder.children[-1].rel = key
        if na and nb and na != nb:
            holder.children[-1].paths = (_join(path, na), _join(path, nb))
        if na and nb and contents:
            _checksum_list(a, b, a.members[na], b.members[nb], holder.children[-1])
    if metadata:
        holder.causes += source_causes(a, b, {nb: key for key, na, nb in paired if na and nb})
        clamp = clamping(a, b, ctx.package)
        if clamp is not None:
            holder.causes.append(clamp)
    return holder


def clamping(a: Source, b: Source, package: Any = None) -> NodeCause | None:
    """When one side's file times all stop at one value most entries share (a SOURCE_DATE_EPOCH
    clamp) and the other side has later times, name that epoch; when both sides stop at their own
    epoch, say that the epochs differ (and, in packages, that each is its changelog's date)."""

    def times(s: Source) -> list[float]:
        return [m.mtime for m in s.members.values() if m.mtime is not None and m.kind != "dir"]

    ta, tb = times(a), times(b)
    if not ta or not tb or sorted(ta) == sorted(tb):
        return None
    tops = (int(max(ta)), int(max(tb)))
    if package is not None and package.a.epochs() and package.b.epochs():
        if package.at_epochs(*tops):
            return package.epoch_cause(*tops)
        late = [
            (w, max(m.epochs()))
            for w, top, m in (("A", tops[0], package.a), ("B", tops[1], package.b))
            if top > max(m.epochs())
        ]
        if late:
            return NodeCause(
                "file-mtime",
                " and ".join(
                    f"{w}'s file times are later than its latest changelog entry ({e})" for w, e in late
                )
                + ", which packaging tools take as SOURCE_DATE_EPOCH: not clamped",
                [Evidence("latest file time", when(max(ta)), when(max(tb)))],
            )
    at_top = [sum(1 for t in ts if t == max(ts)) for ts in (ta, tb)]
    if (
        all(k >= 2 and k * 2 >= len(ts) for k, ts in zip(at_top, (ta, tb), strict=True))
        and tops[0] != tops[1]
    ):
        return NodeCause(
            "file-mtime",
            f"each side's file times stop at one value, and the two differ: SOURCE_DATE_EPOCH {tops[0]} vs "
            f"{tops[1]}, or each build's clock",
            [Evidence("latest file time", when(max(ta)), when(max(tb)))],
        )
    for who, mine, other in (("A", ta, tb), ("B", tb, ta)):
        top = max(mine)
        at_top = sum(1 for t in mine if t == top)
        later = sum(1 for t in other if t > top)
        if at_top * 2 >= len(mine) and later:
            them = "B" if who == "A" else "A"
            return NodeCause(
                "file-mtime",
                f"{who}'s file times are clamped to {when(top)} (SOURCE_DATE_EPOCH={int(top)}); {later} of "
                f"{them}'s entries are later: not clamped",
                [
                    Evidence("latest file time", when(max(ta)), when(max(tb))),
                    Evidence(
                        "entries at the latest time",
                        str(sum(1 for t in ta if t == max(ta))),
                        str(sum(1 for t in tb if t == max(tb))),
                    ),
                ],
            )
    return None


def _executables(src: Source, chain: tuple[str, ...] = ()) -> list[tuple[str, Member, tuple[str, ...]]]:
    """(path, member, the member path at each level of nesting) of every executable in a source,
    nested archives included."""
    out: list[tuple[str, Member, tuple[str, ...]]] = []
    for m in src.members.values():
        if m.nested is not None:
            out += _executables(m.nested, (*chain, m.path))
        elif m.kind == "file" and m.executable:
            out.append(("/".join((*chain, m.path)), m, (*chain, m.path)))
    return out


def _checksum_list(a: Source, b: Source, ma: Member, mb: Member, node: Node) -> None:
    """A differing file no detector explained that is a checksum list of its tree's files."""
    if ma.kind != "file" or not any(c.id == "unexplained" for c in node.causes):
        return
    from godet.explain.containers.checksums import checksum_cause

    found = checksum_cause(a, b, ma, mb)
    if found is not None:
        node.causes = [c for c in node.causes if c.id != "unexplained"] + [found]


def _single_executables(
    a: Source, b: Source, paired: list[tuple[str, str | None, str | None]]
) -> tuple[tuple[str, Member], tuple[str, Member]] | None:
    """When each side holds exactly one executable, under paths that do not pair, those two are a
    pair (a .deb against a tarball of the same program)."""
    xa, xb = _executables(a), _executables(b)
    if len(xa) != 1 or len(xb) != 1 or _pair_through(a, b, xa[0][2], xb[0][2], paired):
        return None
    return xa[0][:2], xb[0][:2]


def _pair_through(
    a: Source,
    b: Source,
    ca: tuple[str, ...],
    cb: tuple[str, ...],
    paired: list[tuple[str, str | None, str | None]],
) -> bool:
    """Whether the members at the chains ``ca`` and ``cb`` (a member path per level of nesting)
    pair by path anyway, level by level (two .debs: data.tar.xz with data.tar.xz, then usr/bin/app
    with usr/bin/app), so that the tree compares them without help."""
    if len(ca) != len(cb) or (ca[0], cb[0]) not in {(na, nb) for _, na, nb in paired}:
        return False
    if len(ca) == 1:
        return True
    na, nb = a.members[ca[0]].nested, b.members[cb[0]].nested
    assert na is not None and nb is not None
    from godet.explain.containers.pairing import pairs

    return _pair_through(na, nb, ca[1:], cb[1:], pairs(na, nb))


def diff_member(
    ctx: TreeContext, ma: Member | None, mb: Member | None, path: str, metadata: bool, contents: bool = True
) -> Node:
    """One member pair (or a member present on one side only)."""
    m = ma or mb
    assert m is not None
    node = Node(os.path.basename(path) or path, path, _kind(m), a=side(ma), b=side(mb))
    if ma is None or mb is None:
        node.status = "only-b" if ma is None else "only-a"
        if os.path.basename(m.path).startswith(".wh."):
            node.causes.append(
                NodeCause(
                    "whiteout",
                    f"whiteout {m.path} only in {'B' if ma is None else 'A'}",
                    [Evidence("whiteout", m.path if ma else None, m.path if mb else None)],
                )
            )
        return node
    for who, mm in (("A", ma), ("B", mb)):
        if mm.error:
            node.notes.append(f"{who}: {mm.error}")
    if ma.kind != mb.kind:
        kinds = {ma.kind, mb.kind}
        cid = "hardlink" if kinds == {"file", "hardlink"} else "unexplained"
        node.causes.append(
            _from_source(
                ctx.package,
                NodeCause(
                    cid,
                    f"a {ma.kind} in A, a {mb.kind} in B",
                    [
                        Evidence("entry type", ma.kind, mb.kind),
                        Evidence("link target", ma.linkname or None, mb.linkname or None),
                    ],
                ),
            )
        )
    elif ma.linkname != mb.linkname:
        node.causes.append(
            _from_source(
                ctx.package,
                NodeCause(
                    "hardlink" if ma.kind == "hardlink" else "unexplained",  # a hard-link chain re-pointed
                    f"{ma.kind} target differs",
                    [Evidence("link target", ma.linkname, mb.linkname)],
                ),
            )
        )
    if metadata:
        node.causes += metadata_causes(ma, mb, ctx.epoch, ctx.package)
    if (
        contents
        and ma.kind == "file"
        and mb.kind == "file"
        and (ma.sha256 != mb.sha256 or ma.size != mb.size)
    ):
        content(ctx, ma, mb, node)
    return node


def _from_source(pair: Any, c: NodeCause) -> NodeCause:
    """An otherwise unexplained change inside two packages (``pair``, or None) built from different
    sources is the sources' (what the package ships changed with them)."""
    if c.id != "unexplained" or pair is None or not pair.sources_differ:
        return c
    why = f"; the package sources differ ({pair.a.source_version} vs {pair.b.source_version})"
    summary = c.summary.replace(", no known cause", "") + why
    return NodeCause("source-change", summary, c.evidence, role="consequence", because="package-version")


def _shown(v: object) -> str:
    """A metadata value in a sentence (an empty name is said to be empty, not left blank)."""
    return "(empty)" if v is None or v == "" else str(v)


def _kind(m: Member) -> str:
    if m.kind != "file":
        return m.kind
    if m.nested is not None:
        return "archive"
    return "binary" if m.executable else "file"


def _followed_time(a: Member, b: Member, why: str, because: str) -> NodeCause:
    """Two entries' differing times as a consequence of ``because`` (``why`` ends the summary)."""
    ev = [Evidence("mtime", when(a.mtime), when(b.mtime))]
    summary = f"modification time {when(a.mtime)} vs {when(b.mtime)}{why}"
    return NodeCause("file-mtime", summary, ev, role="consequence", because=because)


def metadata_causes(a: Member, b: Member, epoch: int | None, package: Any = None) -> list[NodeCause]:
    """Causes from the stored metadata of two entries of the same path."""
    out: list[NodeCause] = []
    timed = a.mtime is not None and b.mtime is not None
    if timed and package is not None and package.at_epochs(a.mtime, b.mtime):
        out.append(package.epoch_cause(a.mtime, b.mtime))
    elif timed and package is not None and package.from_sources(a.mtime, b.mtime):
        why = "from each side's source package (not later than its SOURCE_DATE_EPOCH)"
        out.append(_followed_time(a, b, ", " + why, "package-version"))
    elif timed and package is not None and package.from_tools(a.mtime, b.mtime):
        why = "the same source built with other build tools, each time not later than its side's "
        out.append(
            _followed_time(
                a, b, ": " + why + "SOURCE_DATE_EPOCH (a time the tools set)", "build-dependencies"
            )
        )
    elif timed and int(a.mtime) != int(b.mtime):  # type: ignore[arg-type]
        summary = f"modification time {when(a.mtime)} vs {when(b.mtime)}"
        ev = [Evidence("mtime", when(a.mtime), when(b.mtime))]
        if epoch is not None:
            late = [w for w, t in (("A", a.mtime), ("B", b.mtime)) if t > epoch]
            if late:
                summary += f"; {' and '.join(late)} later than SOURCE_DATE_EPOCH {epoch} (not clamped)"
        out.append(NodeCause("file-mtime", summary, ev))
    own = [
        (lbl, x, y)
        for lbl, x, y in (
            ("uid", a.uid, b.uid),
            ("gid", a.gid, b.gid),
            ("uname", a.uname, b.uname),
            ("gname", a.gname, b.gname),
        )
        if x != y
    ]
    if own:
        out.append(
            NodeCause(
                "file-owner",
                "owner differs: " + ", ".join(f"{k} {_shown(x)} vs {_shown(y)}" for k, x, y in own),
                [Evidence(k, str(x), str(y)) for k, x, y in own],
            )
        )
    if a.mode is not None and b.mode is not None and a.mode != b.mode and a.kind == b.kind:
        hint = ""
        if {a.mode & 0o777, b.mode & 0o777} in ({0o666, 0o644}, {0o777, 0o755}):
            hint = " (group/other write bits: umask or a git checkout)"
        out.append(
            NodeCause(
                "file-mode",
                f"mode {a.mode:04o} vs {b.mode:04o}{hint}",
                [Evidence("mode", f"{a.mode:04o}", f"{b.mode:04o}")],
            )
        )
    if a.pax != b.pax:
        keys = sorted(k for k in set(a.pax) | set(b.pax) if a.pax.get(k) != b.pax.get(k))
        xattr = any(k.startswith("SCHILY.xattr.") or k.startswith("LIBARCHIVE.xattr.") for k in keys)
        out.append(
            NodeCause(
                "pax-records",
                f"{'xattrs' if xattr else 'PAX records'} differ: {', '.join(keys[:4])}",
                [Evidence(k, a.pax.get(k), b.pax.get(k)) for k in keys[:MAX_EVIDENCE]],
            )
        )
    if a.method and b.method and a.method != b.method:
        out.append(
            NodeCause(
                "compression-only",
                f"zip method {a.method} vs {b.method} (the stored bytes differ, not the content)",
                [Evidence("zip method", a.method, b.method)],
            )
        )
    enc = []
    if (a.type_bits is None) != (b.type_bits is None):
        enc.append(Evidence("mode type bits", _bits(a), _bits(b)))
    if a.raw_name != b.raw_name and a.raw_name and b.raw_name and a.path == b.path:
        enc.append(Evidence("stored name", a.raw_name, b.raw_name))
    if enc:
        out.append(
            NodeCause(
                "tar-encoding", "the entry is encoded differently: " + ", ".join(e.label for e in enc), enc
            )
        )
    return out


RECORD = 10240  # the tar record: GNU tar and Python's tarfile pad archives to a multiple of it


def _encoding_style(key: str, enc: dict[str, Any]) -> str | None:
    """How an archive is written, apart from what it holds: the header formats used, whether names
    carry a ``./`` prefix, and how the archive ends. Counts and padding lengths follow the content
    (another file, another size) and are not compared."""
    value = enc.get(key)
    if value is None:
        return None
    if key == "formats":
        return ", ".join(sorted(value)) if isinstance(value, dict) else str(value)
    if key == "dot_prefix":
        entries = sum(enc.get("formats", {}).values()) if isinstance(enc.get("formats"), dict) else 0
        if not entries:
            return str(value)
        return "./ prefix" if value * 2 > entries else ("no ./ prefix" if not value else "./ on some")
    if key == "trailer":
        length = enc.get("length")
        if value < 1024:
            return f"{value} bytes (no full end-of-archive marker)"
        if value == 1024:
            return "end-of-archive marker only"
        if isinstance(length, int) and length % RECORD == 0:
            return f"end-of-archive marker, padded to {RECORD:,}-byte records"
        return f"end-of-archive marker and {value - 1024:,} more bytes"
    return str(value)


def _bits(m: Member) -> str:
    return f"{m.type_bits:o}" if m.type_bits else "absent"


def source_causes(a: Source, b: Source, twins: dict[str, str] | None = None) -> list[NodeCause]:
    """Causes of a whole archive: entry order, tar encoding, compression. ``twins`` maps each paired
    B path to its A path (by default, the same path)."""
    out: list[NodeCause] = []
    twins = twins if twins is not None else {n: n for n in set(a.members) & set(b.members)}
    # entries of another kind on each side are placed by their kind (dpkg-deb puts symlinks last)
    twins = {nb: na for nb, na in twins.items() if a.members[na].kind == b.members[nb].kind}
    common = set(twins.values())
    oa = [n for n in sorted(a.members, key=lambda n: a.members[n].index) if n in common]
    ob = [twins[n] for n in sorted(b.members, key=lambda n: b.members[n].index) if n in twins]
    if oa != ob:
        first = next(i for i, (x, y) in enumerate(zip(oa, ob, strict=True)) if x != y)
        out.append(
            NodeCause(
                "entry-order",
                f"the same entries are stored in a different order (from entry {first})",
                [Evidence(f"entry {first}", oa[first], ob[first])],
            )
        )
    ea, eb = a.encoding, b.encoding
    if ea and eb and ea != eb:
        ev = [
            Evidence(label, x, y)
            for label, x, y in (
                (k, _encoding_style(k, ea), _encoding_style(k, eb))
                for k in ("formats", "dot_prefix", "trailer")
            )
            if x != y
        ]
        if ev:
            out.append(
                NodeCause(
                    "tar-encoding",
                    "the archive is encoded differently: " + ", ".join(e.label for e in ev),
                    ev,
                )
            )
    ca, cb = a.compression, b.compression
    if ca != cb and (ca or cb):
        ev = [
            Evidence(k, str(ca.get(k)), str(cb.get(k)))
            for k in sorted(set(ca) | set(cb))
            if ca.get(k) != cb.get(k)
        ]
        out.append(
            NodeCause(
                "compression-only", "the compressed stream differs: " + ", ".join(e.label for e in ev), ev
            )
        )
    return out


# ------------------------------------------------------------------ content


def content(ctx: TreeContext, a: Member, b: Member, node: Node) -> None:
    """Explain two differing contents: nested archives, Go binaries, known files, else locate."""
    if a.nested is not None and b.nested is not None:
        sub = diff_sources(ctx, a.nested, b.nested, node.path)
        node.kind = "archive"
        node.children = sub.children
        node.causes += [
            c
            for c in sub.causes
            if (c.id, c.role, c.summary) not in {(x.id, x.role, x.summary) for x in node.causes}
        ]
        node.notes += sub.notes
        if not differs(node):
            outside_members(node, a.nested.kind, locate(a, b))
        return
    if a.executable and b.executable and a.spill and b.spill:
        node.kind = "binary"
        node.status = "different"  # the bytes differ; the binary diff runs later (run_binaries)
        from godet.explain.containers.packages import binary_context

        ctx.binary_pairs.append((node, a, b, binary_context(ctx.package), ctx.package))
        return
    explain_content(ctx, a, b, node)


def explain_content(ctx: TreeContext, a: Member, b: Member, node: Node) -> None:
    """Known-file causes, else (and anyway) the located first difference."""
    from godet.explain.containers.files import file_causes

    found = file_causes(a, b, node.path)
    node.causes += found
    loc = locate(a, b)
    if loc is not None:
        node.content = loc
    if not found:
        where = (
            f"first difference at byte {loc.offset:,}"
            if loc and loc.exact
            else (
                f"first difference in the {BLOCK:,}-byte block at {loc.offset:,}"
                if loc
                else "content differs"
            )
        )
        node.causes.append(
            NodeCause(
                "unexplained",
                f"content differs, no known cause: {where}; sizes {a.size:,} vs {b.size:,}",
                [
                    Evidence("sha256", a.sha256[:16], b.sha256[:16]),
                    Evidence("size", f"{a.size:,}", f"{b.size:,}"),
                ],
            )
        )


def diff_binary_files(pa: str, pb: str, deep: bool, given: tuple[Any, ...] = ()) -> Any:
    """DiffReport of two executables in temp files, or the GodetError problem (a string) when they
    cannot be compared as Go binaries; ``given``: findings of the container for the binaries'
    causal model. Top-level so that a process pool can run it."""
    from godet.explain.engine import _pick_slices, diff_binaries
    from godet.read.binary import open_binaries

    try:
        with open_binaries(pa) as xs, open_binaries(pb) as ys:
            x, y = _pick_slices(xs, ys)
            report = diff_binaries(x, y, deep=deep, given=given)
    except GodetError as e:
        return e.problem
    for f in report.causes:
        f.claims = []  # settled already; not needed by the renderers (and heavy to send back)
    return report


POOL_FROM = 3  # binary pairs from which a process pool is worth its start-up


def run_binaries(ctx: TreeContext) -> None:
    """Diff every deferred Go binary pair, on all cores when there are several."""
    pairs, ctx.binary_pairs = ctx.binary_pairs, []
    jobs = [(a.spill, b.spill, ctx.deep, given) for _, a, b, given, _ in pairs]
    workers = min(len(jobs), os.cpu_count() or 1)
    if len(jobs) >= POOL_FROM and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(diff_binary_files, *zip(*jobs, strict=True)))
    else:
        results = [diff_binary_files(*j) for j in jobs]
    for (node, a, b, _, package), res in zip(pairs, results, strict=True):
        ctx.advance(node.path)
        if isinstance(res, str):
            node.notes.append(f"not compared as Go binaries: {res}")
            explain_content(ctx, a, b, node)
            node.causes = [_from_source(package, c) for c in node.causes]  # (its package's, as any file)
            continue
        res.a.path, res.b.path = _label(a, node, "A"), _label(b, node, "B")
        node.report = res


def _label(m: Member, node: Node, who: str) -> str:
    """``A:path`` of one side's binary (its own path when the two were paired under different names)."""
    path = node.paths[who == "B"] if node.paths else node.path
    return f"{who}:{path}" if path else m.path


def locate(a: Member, b: Member) -> Content | None:
    """The first differing byte (small members) or block (large ones) of two contents."""
    da, db = a.data, b.data
    if (da is None or db is None) and a.spill and b.spill and max(a.size, b.size) <= 64 << 20:
        da, db = a.read(), b.read()
    if da is not None and db is not None:
        n = min(len(da), len(db))
        off = next((i for i in range(0, n, 4096) if da[i : min(i + 4096, n)] != db[i : min(i + 4096, n)]), n)
        if off < n:
            off += next(i for i in range(min(4096, n - off)) if da[off + i] != db[off + i])
        return Content(off, True, a.size, b.size, _excerpt(da, off), _excerpt(db, off))
    if a.blocks and b.blocks:
        k = next(
            (i for i, (x, y) in enumerate(zip(a.blocks, b.blocks, strict=False)) if x != y),
            min(len(a.blocks), len(b.blocks)),
        )
        return Content(k * BLOCK, False, a.size, b.size)
    return Content(0, False, a.size, b.size)


def first_difference(pa: str, pb: str) -> Content:
    """Where two files first differ, read in chunks (exact)."""
    off = 0
    with open(pa, "rb") as fa, open(pb, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y or not x:
                n = min(len(x), len(y))
                off += next((i for i in range(n) if x[i] != y[i]), n)
                break
            off += len(x)
    return Content(off, True, os.path.getsize(pa), os.path.getsize(pb))


def _excerpt(data: bytes, off: int) -> str:
    chunk = data[max(0, off - 16) : off + 32]
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text if text.isprintable() or all(c.isprintable() or c in "\n\t" for c in text) else ""


def pretty(x: Any) -> str:
    return str(x)
