"""Who owns a Go function: its package (from the symbol name) and that package's module.

A pclntab name is ``<import path>.<name>`` (``example.com/dep/sub.(*T).M``, ``runtime.gcStart``);
compiler-generated names (``type:eq.…``, ``go:buildid``) belong to no package. A package belongs to
the longest module path (main module or dependency, from buildinfo) that is a prefix of it; a path
whose first element has no dot is the standard library.
"""

from __future__ import annotations

import re

from godet.read.buildinfo import BuildInfo

STD = "std"  # the standard library and runtime (the toolchain's code)
MAIN = "main"
DEP = "dep"
GENERATED = "generated"


def package_of(func: str) -> str | None:
    """The import path of a function's package, or None for compiler-generated symbols."""
    raw = raw_package_of(func)
    return raw.replace("%2e", ".") if raw else None  # the linker escapes dots as %2e


def raw_package_of(func: str) -> str | None:
    """The package prefix of a function name as the symbol table spells it (the last element's dots
    escaped as ``%2e``), or None for compiler-generated symbols."""
    if not func or func.startswith(("type:", "go:", "type.")) or ":" in func.split(".", 1)[0]:
        return None
    head = func.split("[", 1)[0]  # type arguments of a generic may name other packages' paths
    if func.startswith("go.") and not _HOST.match(head.split("/", 1)[0] if "/" in head else ""):
        return None  # go.buildid, go.itab.…: the linker's, unlike go.uber.org/zap.New
    dot = _package_end(head)
    return func[:dot] if dot > 0 else None


def _package_end(head: str) -> int:
    """Where the package path of a name ends: at the first dot after its last slash, where a slash
    of the package path is the last one that leaves a clean path before it. A promoted method of an
    embedded field names that field's package too (``net.addrPortUDPAddr.net/netip.isZero``,
    ``a.com/p.(*T).b.com/q.m``): those slashes are not the name's package's."""
    slashes = [i for i, c in enumerate(head) if c == "/"]
    first = head[: slashes[0]] if slashes else head
    if not slashes or ("." in first and not _FIRST_ELEMENT.match(first)):
        return head.find(".")
    for sl in reversed(slashes):
        dot = head.find(".", sl + 1)
        if dot > 0 and not _NOT_IN_PATH.search(head, 0, dot):
            return dot
    return head.find(".")


_HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
# A module path's first element: lower-case letters, digits, dots and dashes (golang.org/x/mod's
# CheckPath); a method of a type with a capital letter is not one.
_FIRST_ELEMENT = re.compile(r"[a-z0-9.-]+\Z")
_NOT_IN_PATH = re.compile(r"[()*\[\] ]")


def names_package(table: bytes, raw: str) -> bool:
    """Whether a name of a NUL-separated name table belongs to the package spelled ``raw``."""
    needle = raw.encode() + b"."
    return table.startswith(needle) or b"\0" + needle in table


# In a NUL-separated name table: the prefix of each name up to the first dot after its last slash
# (slashes inside type arguments, after "[", do not count).
_PREFIX = re.compile(rb"\0((?:[^\0/\[]*/)*[^\0/\[.]*)\.")
SEARCHES = 32  # more candidates than this: list the other table's packages once instead


def named_packages(table: bytes) -> set[str]:
    """The raw package prefixes of the names of a NUL-separated name table (generated names left out)."""
    out = set()
    for raw in set(_PREFIX.findall(b"\0" + table)):
        text = raw.decode("utf-8", "replace")
        if raw_package_of(text + ".x") == text:
            out.add(text)
    return out


def one_sided_packages(candidates: set[str], other: bytes, modules: ModuleIndex) -> dict[str, str]:
    """Of one build's raw package prefixes ``candidates``, those outside the standard library that
    no name of ``other`` (the other build's name table: compiled and inlined functions alike)
    belongs to: raw prefix -> import path."""
    listed = named_packages(other) if len(candidates) > SEARCHES else None
    out: dict[str, str] = {}
    for raw in sorted(candidates):
        pkg = raw.replace("%2e", ".")
        if modules.owner(pkg)[0] in (STD, GENERATED):
            continue
        if raw not in listed if listed is not None else not names_package(other, raw):
            out[raw] = pkg
    return out


class ModuleIndex:
    """The modules of one build, for placing many packages: a prefix walk over a set, cached per package."""

    def __init__(self, bi: BuildInfo | None) -> None:
        self.main = bi.main.path if bi is not None and bi.main is not None else ""
        self.paths = {m.path for m in bi.deps} if bi is not None else set()
        if self.main:
            self.paths.add(self.main)
        self._cache: dict[str | None, tuple[str, str]] = {}

    def owner(self, pkg: str | None) -> tuple[str, str]:
        """(kind, owner) of ``pkg``: the longest module path equal to it or a prefix of it at a slash."""
        got = self._cache.get(pkg)
        if got is None:
            got = self._cache[pkg] = self._owner(pkg)
        return got

    def _owner(self, pkg: str | None) -> tuple[str, str]:
        if pkg is None:
            return GENERATED, ""
        if pkg == "main":
            return MAIN, self.main or "main"
        cut = len(pkg)
        while cut > 0:
            head = pkg[:cut]
            if head in self.paths:
                return (MAIN if head == self.main else DEP), head
            cut = pkg.rfind("/", 0, cut)
        if "." not in pkg.split("/", 1)[0]:
            return STD, STD
        return DEP, pkg
