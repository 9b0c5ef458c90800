"""Checksum lists (`sha256sum` / `md5sum` output such as SHA256SUMS or a release's checksums.txt,
and the BSD `SHA256 (file) = digest` form): a list whose differing lines are each the digest of a
listed file whose content differs only follows its files."""

from __future__ import annotations

import posixpath
import re

from godet.explain.detectors.base import Evidence
from godet.explain.tree import NodeCause
from godet.sources.base import Member, Source

MAX_LIST = 1 << 20  # checksum lists larger than this are not read
MAX_EVIDENCE = 8
GNU_LINE = re.compile(r"^(?P<digest>[0-9a-fA-F]{32,128})[ \t]+\*?(?P<path>\S.*)$")
BSD_LINE = re.compile(r"^(?P<algo>[A-Z0-9-]+) \((?P<path>.+)\) = (?P<digest>[0-9a-fA-F]{32,128})$")
DIGEST_LENGTHS = {32, 40, 56, 64, 96, 128}  # md5, sha1, sha224, sha256, sha384, sha512


def parse_checksums(raw: bytes) -> dict[str, str] | None:
    """Listed path → digest, when every non-empty line is a checksum line (else None)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = GNU_LINE.match(line) or BSD_LINE.match(line)
        if m is None or len(m["digest"]) not in DIGEST_LENGTHS:
            return None
        out[m["path"].strip()] = m["digest"].lower()
    return out or None


def _member(src: Source, where: str, path: str) -> Member | None:
    """The member a checksum line names: relative to directory ``where``, else to the root."""
    for cand in (posixpath.join(where, path), path):
        m = src.members.get(posixpath.normpath(cand).removeprefix("./"))
        if m is not None and m.kind == "file":
            return m
    return None


def _matches(m: Member | None, digest: str | None) -> bool:
    """Whether a listed digest is this member's (checked for sha256; other algorithms: the member is
    there exactly when the line is)."""
    if m is None or digest is None:
        return m is None and digest is None
    return m.sha256 == digest if len(digest) == 64 and m.sha256 else True


def checksum_cause(
    a: Source, b: Source, ma: Member, mb: Member, listed: tuple[Source, Source] | None = None
) -> NodeCause | None:
    """The consequence cause of a differing checksum list, when each differing line is explained by
    its file: present with that digest on its side, and changed (or present on one side only).
    Listed paths are looked up beside the list in ``a``/``b``, or from the root of ``listed`` (a
    .deb's md5sums names the files of its data.tar)."""
    if ma.size > MAX_LIST or mb.size > MAX_LIST:
        return None
    ra, rb = ma.read(), mb.read()
    la = parse_checksums(ra) if ra is not None else None
    lb = parse_checksums(rb) if rb is not None else None
    if la is None or lb is None:
        return None
    changed = sorted(p for p in set(la) | set(lb) if la.get(p) != lb.get(p))
    (sa, wa), (sb, wb) = (
        ((listed[0], ""), (listed[1], ""))
        if listed
        else ((a, posixpath.dirname(ma.path)), (b, posixpath.dirname(mb.path)))
    )
    for p in changed:
        fa = _member(sa, wa, p) if p in la else None
        fb = _member(sb, wb, p) if p in lb else None
        if not (_matches(fa, la.get(p)) and _matches(fb, lb.get(p))):
            return None
        if fa is not None and fb is not None and fa.sha256 == fb.sha256 and fa.size == fb.size:
            return None  # the same file, another digest: not the file's doing
    if not changed:
        return None
    return NodeCause(
        "package-metadata",
        f"a checksum list that follows its files: {len(changed)} line"
        f"{'s differ' if len(changed) != 1 else ' differs'}, each the digest of a listed file as it is "
        "on its side",
        [Evidence(p, la.get(p), lb.get(p)) for p in changed[:MAX_EVIDENCE]],
    )
