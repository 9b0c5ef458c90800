"""Why two packages differ, from what they say about themselves (sources/pkgmeta.py): a .deb's
control file, md5sums and changelog, an .rpm's header, a wheel's METADATA and RECORD, an npm
package.json. Names the roots (another version, another build environment, a build stamp) and labels
what only follows from them (checksum lists, sizes, digests, changelogs, file times clamped to each
side's SOURCE_DATE_EPOCH, the files of another source)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from godet.explain.causes import SAME_CODE, SAME_SOURCE, SAME_UPSTREAM
from godet.explain.detectors.base import Evidence, Finding
from godet.explain.tree import Node, NodeCause
from godet.sources.base import Member, Source
from godet.sources.pkgmeta import (
    CHANGELOG,
    ENVIRONMENT_FIELDS,
    STAMP_FIELDS,
    PackageMeta,
    built_using,
    nested_source,
    npm_manifest,
    package_meta,
    small_file,
)

MAX_EVIDENCE = 8

# What each recorded field means when it differs (deb control fields; rpm header tags by name).
VERSION_FIELDS = frozenset({"Version", "Source", "VERSION", "RELEASE", "EPOCH", "SOURCERPM", "version"})
SUBSTVAR_FIELDS = frozenset(  # computed from the built files and the build machine's libraries
    {
        "Depends",
        "Pre-Depends",
        "Recommends",
        "Provides",
        "REQUIRENAME",
        "REQUIREVERSION",
        "REQUIREFLAGS",
        "PROVIDENAME",
        "PROVIDEVERSION",
        "PROVIDEFLAGS",
    }
)
PAYLOAD_FIELDS = frozenset(  # what the header repeats about the payload: sizes, digests, file lists
    {
        "Installed-Size",
        "SIZE",
        "LONGSIZE",
        "PAYLOADDIGEST",
        "PAYLOADDIGESTALT",
        "BASENAMES",
        "DIRNAMES",
        "DIRINDEXES",
        "CLASSDICT",
        "TAG1141",  # FILECLASS (indexes into CLASSDICT)
    }
)


def _describes_payload(key: str) -> bool:
    return key in PAYLOAD_FIELDS or (key.startswith("FILE") and key != "FILEDIGESTALGO")


# ------------------------------------------------------------------ explaining


@dataclass
class PackagePair:
    """Two packages' metadata, and what their difference implies."""

    a: PackageMeta
    b: PackageMeta

    @property
    def versions_differ(self) -> bool:
        return self.a.version != self.b.version

    @property
    def sources_differ(self) -> bool:
        return self.a.source_version != self.b.source_version

    def at_epochs(self, ta: float | None, tb: float | None) -> bool:
        """Two different times, each at its own side's changelog epoch."""
        return (
            ta is not None
            and tb is not None
            and int(ta) != int(tb)
            and self.a.at_epoch(ta)
            and self.b.at_epoch(tb)
        )

    def from_sources(self, ta: float, tb: float) -> bool:
        """Two differing file times that each side's own source package explains: the sources differ
        and neither time is later than its side's changelog epoch (so no clamp or build touched it)."""
        return self.sources_differ and self._under_epochs(ta, tb)

    def environment_differs(self) -> bool:
        """The packages record other build environments (Built-Using and its kin)."""
        return any(self.a.fields.get(k) != self.b.fields.get(k) for k in ENVIRONMENT_FIELDS)

    def from_tools(self, ta: float, tb: float) -> bool:
        """Two differing file times of one source built in other environments, neither later than
        its side's changelog epoch (so the clamp held on both): the build tools set the file's own
        time (debhelper gives NEWS.Debian its latest entry's time since 13.x), not the version."""
        return not self.sources_differ and self.environment_differs() and self._under_epochs(ta, tb)

    def _under_epochs(self, ta: float, tb: float) -> bool:
        """Two different times, neither later than its side's latest changelog epoch."""
        return (
            bool(self.a.epochs())
            and bool(self.b.epochs())
            and int(ta) != int(tb)
            and ta <= max(self.a.epochs())
            and tb <= max(self.b.epochs())
        )

    def version_sentence(self) -> str:
        kind = "a binary-only rebuild of the same source" if not self.sources_differ else "another source"
        return f"package version {self.a.version} vs {self.b.version} ({kind})"

    def epoch_cause(self, ta: float, tb: float) -> NodeCause:
        """Times ``ta``/``tb`` at each side's changelog epoch: a consequence of the version, else a root."""
        ea, eb = int(ta), int(tb)
        summary = (
            "times clamped to each side's SOURCE_DATE_EPOCH, from its latest changelog entry: "
            f"{_utc(ea)} ({self.a.changelog}) vs {_utc(eb)} ({self.b.changelog})"
        )
        ev = [
            Evidence(
                "latest changelog entry", f"{self.a.changelog} {_utc(ea)}", f"{self.b.changelog} {_utc(eb)}"
            )
        ]
        if self.versions_differ:
            return NodeCause("file-mtime", summary, ev, role="consequence", because="package-version")
        return NodeCause("file-mtime", summary, ev)


def _utc(t: int) -> str:
    try:
        return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):  # a hostile time field
        return str(t)


def pair_packages(a: Source, b: Source) -> PackagePair | None:
    """The two packages' metadata, when both sources are packages of the same format."""
    if a.kind != b.kind:
        return None
    ma, mb = package_meta(a), package_meta(b)
    return PackagePair(ma, mb) if ma is not None and mb is not None else None


_TOOLCHAIN_PACKAGE = re.compile(r"golang-(\d+(\.\d+)*|go|src)\Z")  # Go itself, not a library


def _built_with(meta: PackageMeta) -> dict[str, str]:
    """The Go library packages a .deb records it was compiled with: name -> version (the Go
    toolchain's own golang-X.Y package left out: the binaries' Go version says it)."""
    return {n: v for n, v in built_using(meta.fields).items() if not _TOOLCHAIN_PACKAGE.match(n)}


def binary_context(pair: PackagePair | None) -> tuple[Finding, ...]:
    """What the package pair tells the diff of each Go binary pair inside it: from other releases
    of the software, their versions (a ``package-version`` finding: what differs only by naming
    them follows it); built from the same
    source against other versions of Go library packages, the code that changed is those
    libraries' (a ``build-dependencies`` finding for the binaries' causal model; no claims of its
    own); against the same ones, the program's own code is the same (a SAME_CODE fact: what changed
    is the toolchain's, whose linker may also keep other functions). Empty when the sources differ or
    neither package records what it was built against."""
    if pair is None:
        return ()
    if pair.sources_differ:
        ua, ub = pair.a.upstream_version, pair.b.upstream_version
        if ua and ua == ub:
            return _revision_context(pair, ua)
        if not ua or not ub:
            return ()
        # another release of the software: what names its version (a build directory Debian names
        # after it, a version stamped with -X) follows it
        ev = [Evidence("upstream version", ua, ub)]
        return (Finding("package-version", f"The packages hold version {ua} vs {ub}.", ev, []),)
    libraries = _libraries_finding(
        pair, f"The package's source is the same ({pair.a.source_version}); it was", SAME_SOURCE
    )
    if libraries:
        return libraries
    if not built_using(pair.a.fields) and not built_using(pair.b.fields):
        return ()  # (no record of what the program was built against)
    # the same libraries: the program's own code is the same, a fact for the model (not a cause)
    return (Finding("build-dependencies", "", [], [], traits=frozenset({SAME_SOURCE, SAME_CODE})),)


def _revision_context(pair: PackagePair, upstream: str) -> tuple[Finding, ...]:
    """One upstream version in two revisions of its packaging (gh 2.46.0-3 and -4): when they were
    built against other Go library versions, a build-dependencies finding that explains the code
    that changed in the libraries only (trait SAME_UPSTREAM; the revisions' own patches stay source)."""
    head = f"The packages hold one upstream version ({upstream}) in two revisions ({pair.a.version} vs "
    return _libraries_finding(pair, head + f"{pair.b.version}),", SAME_UPSTREAM)


def _libraries_finding(pair: PackagePair, head: str, trait: str) -> tuple[Finding, ...]:
    """A build-dependencies finding for the Go library packages the two record other versions of
    (``head`` opens its summary), with ``trait`` for the model; empty when none differ."""
    la, lb = _built_with(pair.a), _built_with(pair.b)
    names = sorted(n for n in la.keys() | lb.keys() if la.get(n) != lb.get(n))
    if not names:
        return ()
    listed = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return (
        Finding(
            "build-dependencies",
            f"{head} compiled with other versions of {len(names)} Go library package(s) (Built-Using: "
            f"{listed}), whose code is compiled into the program.",
            [Evidence(n, la.get(n), lb.get(n)) for n in names[:MAX_EVIDENCE]],
            [],
            key="Built-Using",  # (the verdict names the field, not the first library's versions)
            traits=frozenset({trait}),
        ),
    )


def field_causes(pair: PackagePair, content_differs: bool) -> list[NodeCause]:
    """Causes for the recorded fields that differ, grouped by what each field means."""
    fa, fb = pair.a.fields, pair.b.fields
    groups: dict[tuple[str, str, str | None], list[Evidence]] = {}
    for key in sorted(set(fa) | set(fb)):
        va, vb = fa.get(key), fb.get(key)
        if va == vb:
            continue
        groups.setdefault(_meaning(pair, key, content_differs), []).append(
            Evidence(key, _short(va), _short(vb))
        )
    out = []
    for (cid, role, because), ev in groups.items():
        out.append(NodeCause(cid, _summary(pair, cid, ev), ev[:MAX_EVIDENCE], role=role, because=because))
    return out


def _meaning(pair: PackagePair, key: str, content_differs: bool) -> tuple[str, str, str | None]:
    """(cause, role, because) for one differing field."""
    if key in VERSION_FIELDS:
        return "package-version", "root", None
    if key in ENVIRONMENT_FIELDS:
        return "build-dependencies", "root", None
    if _describes_payload(key) and content_differs:
        return "package-metadata", "consequence", None
    if (
        key == "BUILDTIME"  # SOURCE_DATE_EPOCH as the build time, from each changelog
        and pair.versions_differ
        and pair.at_epochs(_int(pair.a.fields.get(key)), _int(pair.b.fields.get(key)))
    ):
        return "package-version", "consequence", "package-version"
    if key in STAMP_FIELDS:
        return "package-build-stamp", "root", None
    if key in SUBSTVAR_FIELDS and not pair.sources_differ:  # (a binNMU: the same source, rebuilt)
        return "build-dependencies", "consequence", "build-dependencies"
    if pair.versions_differ:
        return "package-version", "consequence", "package-version"
    return "unexplained", "root", None


def _int(v: str | None) -> int | None:
    return int(v) if v and v.isdigit() else None


def _summary(pair: PackagePair, cid: str, ev: list[Evidence]) -> str:
    names = ", ".join(e.label for e in ev[:4]) + (", …" if len(ev) > 4 else "")
    if cid == "package-version":
        return f"{pair.version_sentence()}; fields {names}"
    if cid == "build-dependencies":
        return f"the build environment differs: {names}"
    if cid == "package-metadata":
        return f"what the package records about its payload follows it: {names}"
    if cid == "package-build-stamp":
        return f"the package records when and where it was built: {names}"
    return f"recorded fields differ, no known cause: {names}"


def _short(v: str | None) -> str | None:
    if v is None:
        return None
    v = v.replace("\n", ", ")
    return v if len(v) <= 160 else v[:157] + "…"


def explain_packages(pair: PackagePair, a: Source, b: Source, holder: Node) -> None:
    """Replace the generic 'unexplained' content verdicts of a package's own parts by their causes."""
    nodes = list(_walk(holder, ""))
    content_differs = any(  # the payload differs: its digests and sizes follow
        n.causes or n.content is not None or n.kind == "binary" or n.status in ("only-a", "only-b")
        for n, rel in nodes
        if not _is_meta(rel) and n.kind != "archive"
    )
    for n, rel in nodes:
        if n.kind not in ("file", "binary") or not any(c.id == "unexplained" for c in n.causes):
            continue
        found = _part_causes(pair, a, b, n, rel, content_differs)
        if found:
            n.causes = [c for c in n.causes if c.id != "unexplained"] + found


def _walk(node: Node, base: str) -> Iterator[tuple[Node, str]]:
    """(node, A's path inside the package) of every node under ``node`` (nested archives included)."""
    for child in node.children:
        rel = f"{base}/{child.rel}" if base else child.rel
        yield child, rel
        yield from _walk(child, rel)


def _is_meta(rel: str) -> bool:
    """Whether a node (by its path inside the package) is the package's metadata, not its payload."""
    parts = rel.split("/")
    return (
        parts[-1].startswith("[rpm ")
        or (len(parts) > 1 and parts[-2].startswith("control.tar"))
        or any(p.endswith(".dist-info") for p in parts[:-1])
    )


def _part_causes(
    pair: PackagePair, a: Source, b: Source, n: Node, rel: str, content_differs: bool
) -> list[NodeCause]:
    parts = rel.split("/")
    name, parent = parts[-1], (parts[-2] if len(parts) > 1 else "")
    if (
        (pair.a.format == "deb" and name == "control" and parent.startswith("control.tar"))
        or name == "[rpm header]"
        or (pair.a.format == "wheel" and name == "METADATA" and parent.endswith(".dist-info"))
        or (
            pair.a.format == "npm"
            and name == "package.json"
            and "/".join(parts[-2:]) == npm_manifest(a.members)
        )
    ):
        return field_causes(pair, content_differs)
    if pair.a.format == "deb" and name == "md5sums" and parent.startswith("control.tar"):
        return _checksums(a, b)
    if pair.a.format == "wheel" and name == "RECORD" and parent.endswith(".dist-info"):
        return _record(a, b)
    if name == "[rpm signature]":  # digests of the header, which differs when anything above does
        return [
            NodeCause("package-metadata", "the signature header holds digests of the header and payload", [])
        ]
    if name == "[rpm lead]" and pair.versions_differ:
        return [
            NodeCause(
                "package-version",
                f"the lead names the package: {pair.version_sentence()}",
                [],
                role="consequence",
                because="package-version",
            )
        ]
    if pair.versions_differ and CHANGELOG.search(rel):
        return [
            NodeCause(
                "package-version",
                f"the changelog's latest entry is {pair.a.changelog} vs {pair.b.changelog}",
                [Evidence("latest entry", pair.a.changelog, pair.b.changelog)],
                role="consequence",
                because="package-version",
            )
        ]
    if n.kind == "file" and not pair.sources_differ:
        found = _text_stamps(pair, _member(a, rel), _member(b, rel))
        if found:
            return found
        return _built_file(pair)
    if pair.sources_differ and n.kind == "file":
        return [
            NodeCause(
                "source-change",
                f"a file of the package's source; the sources differ ({pair.a.source_version} vs "
                f"{pair.b.source_version})",
                [Evidence("source version", pair.a.source_version, pair.b.source_version)],
                role="consequence",
                because="package-version",
            )
        ]
    return []


def _built_file(pair: PackagePair) -> list[NodeCause]:
    """A changed file of two packages from one source that were built against other versions of Go
    library packages: made during the build (by the program, such as cobra's man pages and shell
    completions, or by a build tool), it follows them. Nothing when the libraries are the same."""
    la, lb = _built_with(pair.a), _built_with(pair.b)
    changed = sorted(n for n in la.keys() | lb.keys() if la.get(n) != lb.get(n))
    if not changed:
        return []
    listed = ", ".join(changed[:3]) + (", …" if len(changed) > 3 else "")
    return [
        NodeCause(
            "build-dependencies",
            f"the package's source is the same ({pair.a.source_version}) and it was built against other "
            f"versions of {len(changed)} Go library package(s) ({listed}): a file made during the build "
            "follows them",
            [Evidence(n, la.get(n), lb.get(n)) for n in changed[:MAX_EVIDENCE]],
            role="consequence",
            because="build-dependencies",
        )
    ]


def _member(src: Source, rel: str) -> Member | None:
    """The member at ``rel`` (a path through nested archives: ``data.tar.xz/usr/share/x.gz``)."""
    cur: Source | None = src
    parts = rel.split("/")
    i = 0
    while cur is not None and i < len(parts):
        for j in range(len(parts), i, -1):  # the longest member name that matches (names hold slashes)
            m = cur.members.get("/".join(parts[i:j]))
            if m is not None:
                if j == len(parts):
                    return m
                cur, i = m.nested, j
                break
        else:
            return None
    return None


def _text_stamps(pair: PackagePair, ma: Member | None, mb: Member | None) -> list[NodeCause]:
    """A generated text file of one source whose differences are only stamps (tool versions, the
    build date): see :mod:`godet.explain.containers.stamps`."""
    from godet.explain.containers.stamps import Side, stamp_causes, stamps, text_of

    ta, tb = text_of(small_file(ma, MAX_STAMPED)), text_of(small_file(mb, MAX_STAMPED))
    if ta is None or tb is None:
        return []
    found = stamps(ta, tb, Side(pair.a.version, pair.a.epoch), Side(pair.b.version, pair.b.epoch))
    return stamp_causes(found, pair.versions_differ) if found is not None else []


MAX_STAMPED = 1 << 20  # bytes of a packaged file read to look for stamps


def _checksums(a: Source, b: Source) -> list[NodeCause]:
    """md5sums lines that differ exactly where the payload's files (data.tar's) differ."""
    from godet.explain.containers.checksums import checksum_cause

    control_a, control_b = nested_source(a, "control.tar"), nested_source(b, "control.tar")
    data_a, data_b = nested_source(a, "data.tar"), nested_source(b, "data.tar")
    if not (control_a and control_b and data_a and data_b):
        return []
    ma, mb = control_a.members.get("md5sums"), control_b.members.get("md5sums")
    if ma is None or mb is None:
        return []
    found = checksum_cause(control_a, control_b, ma, mb, listed=(data_a, data_b))
    return [found] if found is not None else []


def _record(a: Source, b: Source) -> list[NodeCause]:
    """A wheel's RECORD lines (path, digest, size) that differ exactly where its files differ, once
    B's versioned directories are named as A's."""
    from godet.explain.containers.pairing import renamed_roots, renamer

    key = renamer(renamed_roots(a, b))
    ra = next(
        (m for n, m in a.members.items() if n.endswith(".dist-info/RECORD") and n.count("/") == 1), None
    )
    rb = next(
        (m for n, m in b.members.items() if n.endswith(".dist-info/RECORD") and n.count("/") == 1), None
    )
    da, db = small_file(ra), small_file(rb)
    if da is None or db is None:
        return []
    la = _record_lines(da, lambda p: p)
    lb = _record_lines(db, key)
    b_by_key = {key(n): m for n, m in b.members.items()}
    changed = sorted(p for p in set(la) | set(lb) if la.get(p) != lb.get(p))
    if not changed or not all(_payload_differs(a.members.get(p), b_by_key.get(p)) for p in changed):
        return []
    return [
        NodeCause(
            "package-metadata",
            f"RECORD lists the wheel's files with their digests: {len(changed)} line"
            f"{'s differ' if len(changed) != 1 else ' differs'}, each for a file whose content differs",
            [Evidence(p, la.get(p), lb.get(p)) for p in changed[:MAX_EVIDENCE]],
        )
    ]


def _record_lines(raw: bytes, key: Callable[[str], str]) -> dict[str, str]:
    out = {}
    for line in raw.decode("utf-8", "replace").splitlines():
        path, _, rest = line.partition(",")
        if path:
            out[key(path)] = rest
    return out


def _payload_differs(ma: Member | None, mb: Member | None) -> bool:
    return ma is None or mb is None or ma.sha256 != mb.sha256 or ma.size != mb.size
