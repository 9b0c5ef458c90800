"""Causes read from the content of known files: OS package databases (dpkg status, apk installed),
generated state (dpkg/apt logs, ldconfig aux-cache, .pyc headers)."""

from __future__ import annotations

import re

from godet.explain.detectors.base import Evidence
from godet.explain.tree import NodeCause
from godet.sources.base import Member

MAX_PACKAGES = 12
DPKG_STATUS = re.compile(r"(^|/)var/lib/dpkg/status$")
APK_INSTALLED = re.compile(r"(^|/)lib/apk/db/installed$")
GENERATED = (
    (re.compile(r"(^|/)var/log/dpkg\.log$"), "the dpkg log (timestamps of the install)"),
    (re.compile(r"(^|/)var/log/apt/(history|term)\.log$"), "an apt log (timestamps of the install)"),
    (re.compile(r"(^|/)var/log/alternatives\.log$"), "the alternatives log"),
    (re.compile(r"(^|/)var/cache/ldconfig/aux-cache$"), "ldconfig's aux-cache (inode numbers and times)"),
    (re.compile(r"(^|/)var/cache/debconf/.*-old$"), "a debconf cache backup"),
    (re.compile(r"(^|/)lib/apk/db/scripts\.tar$"), "apk's scripts.tar (timestamps inside)"),
    (re.compile(r"(^|/)etc/ld\.so\.cache$"), "the dynamic linker cache"),
)


def packages_dpkg(text: str) -> dict[str, str]:
    """Package → version from a dpkg status file (architecture-qualified for Multi-Arch: same)."""
    out: dict[str, str] = {}
    for para in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+):[ \t]*(.*)$", para, re.M))
        if "Package" in fields and "Version" in fields:
            out[fields["Package"]] = fields["Version"]
    return out


def packages_apk(text: str) -> dict[str, str]:
    """Package → version from apk's installed database (P: and V: lines)."""
    out: dict[str, str] = {}
    for para in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z]):(.*)$", para, re.M))
        if "P" in fields and "V" in fields:
            out[fields["P"]] = fields["V"]
    return out


def package_changes(pa: dict[str, str], pb: dict[str, str]) -> list[Evidence]:
    return [Evidence(p, pa.get(p), pb.get(p)) for p in sorted(set(pa) | set(pb)) if pa.get(p) != pb.get(p)]


def file_causes(a: Member, b: Member, where: str) -> list[NodeCause]:
    """Causes for two differing contents of one path, from what the path and bytes are."""
    path = a.path
    if DPKG_STATUS.search(path) or APK_INSTALLED.search(path):
        da, db = a.read(), b.read()
        if da is not None and db is not None:
            parse = packages_dpkg if DPKG_STATUS.search(path) else packages_apk
            ev = package_changes(parse(da.decode("utf-8", "replace")), parse(db.decode("utf-8", "replace")))
            if ev:
                first = ev[0]
                return [
                    NodeCause(
                        "os-package-versions",
                        f"{len(ev)} OS package{'s' if len(ev) != 1 else ''} differ, e.g. {first.label} "
                        f"{first.a or '(absent)'} vs {first.b or '(absent)'}",
                        ev[:MAX_PACKAGES],
                    )
                ]
    for pattern, what in GENERATED:
        if pattern.search(path):
            return [
                NodeCause(
                    "generated-files",
                    f"{path} is {what}, rewritten by every build",
                    [Evidence("file", path, path)],
                )
            ]
    if path.endswith(".pyc"):
        return _pyc(a, b)
    return []


def _pyc(a: Member, b: Member) -> list[NodeCause]:
    """A .pyc whose header (flags, source mtime or hash, size) differs; the code object may not."""
    da, db = a.read(), b.read()
    if da is None or db is None or len(da) < 16 or len(db) < 16:
        return []
    ev = []
    if da[4:8] != db[4:8]:
        ev.append(
            Evidence("flags", str(int.from_bytes(da[4:8], "little")), str(int.from_bytes(db[4:8], "little")))
        )
    if da[8:12] != db[8:12]:
        ev.append(Evidence("source mtime / hash", da[8:12].hex(), db[8:12].hex()))
    if da[12:16] != db[12:16]:
        ev.append(
            Evidence(
                "source size",
                str(int.from_bytes(da[12:16], "little")),
                str(int.from_bytes(db[12:16], "little")),
            )
        )
    if not ev:
        return []
    body = "; the code object is equal" if da[16:] == db[16:] else "; the code object differs too"
    return [NodeCause("generated-files", "the .pyc header differs (source mtime recorded)" + body, ev)]
