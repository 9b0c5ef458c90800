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
    escaped as ``%2e``), or None for compiler-generated symbols.

    Without type arguments the answer reads only the name up to the first dot after its last slash
    (the *stem*), so it is remembered per stem: a large program's 100k names have a few thousand."""
    if "[" in func:
        return _raw_package_of(func)
    dot = func.find(".", func.rfind("/") + 1)
    if dot < 0:
        return _raw_package_of(func)
    stem = func[: dot + 1]
    got = _STEMS.get(stem, _UNSEEN)
    if got is _UNSEEN:
        got = _STEMS[stem] = _raw_package_of(func)
    return got  # type: ignore[return-value]


_STEMS: dict[str, str | None] = {}
_UNSEEN = object()


def _raw_package_of(func: str) -> str | None:
    if not func or func.startswith(("type:", "go:", "type.")) or ":" in func.split(".", 1)[0]:
        return None
    head = func.split("[", 1)[0]  # type arguments of a generic may name other packages' paths
    if func.startswith("go.") and not _HOST.match(head.split("/", 1)[0] if "/" in head else ""):
        return None  # go.buildid, go.itab.…: the linker's, unlike go.uber.org/zap.New
    last = head.rfind("/")
    dot = head.find(".", last + 1)
    if last >= 0:
        slash = head.find("/")
        if head.find("(", 0, dot) >= 0 or (head.find(".", 0, slash) >= 0 and not head[:slash].islower()):
            dot = _package_end(head)  # a method's receiver, or no module path before the slash
    return func[:dot] if dot > 0 else None


def _package_end(head: str) -> int:
    """Where the package path of a name ends: at the first dot after its last slash, where a slash
    of the package path is the last one that leaves a clean path before it. A promoted method of an
    embedded field names that field's package too (``net.addrPortUDPAddr.net/netip.isZero``,
    ``a.com/p.(*T).b.com/q.m``): those slashes are not the name's package's."""
    last = head.rfind("/")
    if last < 0:
        return head.find(".")
    slash = head.find("/")
    if head.find(".", 0, slash) >= 0 and not head[:slash].islower():  # a module path's first element
        return head.find(".")  # is lower case
    dot = head.find(".", last + 1)
    if dot > 0 and head.find("(", 0, dot) < 0 and head.find(" ", 0, dot) < 0:
        return dot  # the common case: the last slash is the package path's
    slashes = [i for i, c in enumerate(head) if c == "/"]
    for sl in reversed(slashes[:-1]):
        dot = head.find(".", sl + 1)
        if dot > 0 and not _NOT_IN_PATH.search(head, 0, dot):
            return dot
    return head.find(".")


_HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
_NOT_IN_PATH = re.compile(r"[()*\[\] ]")


HOSTS_3 = ("github.com/", "gitlab.com/", "bitbucket.org/", "codeberg.org/", "golang.org/x/", "git.sr.ht/")
MAJOR = re.compile(r"v[2-9]\d*\Z")


def repository_root(path: str) -> str:
    """The repository root of an import path when no module records it (GOPATH mode): host, owner
    and name on the big hosts (github.com/o/r), else host and name, with a /vN after it; "" for a
    path without a host (a directory outside GOPATH, command-line-arguments)."""
    parts = path.split("/")
    if "." not in parts[0] or path.startswith("_"):
        return ""
    n = 3 if path.startswith(HOSTS_3) else 2
    if len(parts) > n and MAJOR.match(parts[n]):
        n += 1
    return "/".join(parts[:n]) if len(parts) >= n else ""


def in_modules(func: str, modules: frozenset[str] | list[str]) -> bool:
    """Whether function ``func`` belongs to one of ``modules`` (module paths) or names one in its
    type arguments (a generic instantiated with a module's type)."""
    pkg = package_of(func) or ""
    if any(pkg == m or pkg.startswith(m + "/") for m in modules):
        return True
    return "[" in func and any(m in func for m in modules)


def names_package(table: bytes, raw: str) -> bool:
    """Whether a name of a NUL-separated name table belongs to the package spelled ``raw``."""
    needle = raw.encode() + b"."
    return table.startswith(needle) or b"\0" + needle in table


# In a NUL-separated name table: the prefix of each name up to the first dot after its last slash
# (slashes inside type arguments, after "[", do not count).
_PREFIX = re.compile(rb"\0((?:[^\0/\[]*/)*[^\0/\[.]*)\.")
SEARCHES = 32  # more candidates than this: list the other table's packages once instead
FUNCTION_SEARCHES = 8  # ... split the other table into a set of names once instead


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


# What a program declares after its package: Name, T.Name or (*T).Name; not a closure (.func1), a
# wrapper (-fm, .gowrap1), a generic instance ([...]), an init function or other compiler-made names.
DECLARED_NAME = re.compile(r"(?:\(\*?[A-Za-z_]\w*\)\.|[A-Za-z_]\w*\.)?[A-Za-z_]\w*\Z")


def declared(func: str) -> bool:
    """Whether a function name is one the program's source declares (see DECLARED_NAME), and one whose
    presence follows that source: not an exported method, which the linker keeps or drops with the
    standard library's use of reflect.Value.Method."""
    raw = raw_package_of(func)
    if raw is None:
        return False
    tail = func[len(raw) + 1 :]
    if not DECLARED_NAME.match(tail) or tail == "init" or tail.startswith(("init.", "glob.")):
        return False
    last = tail.rsplit(".", 1)[-1]
    if "." in tail and last[:1].isupper():
        return False  # an exported method: the linker keeps them all when reflection may call one
    return not MADE_NAME.match(last)


# closures and wrappers the compiler names
MADE_NAME = re.compile(r"(?:func|gowrap|deferwrap|dwrap|stkobj)\d+\Z")


def names_function(table: bytes, name: str) -> bool:
    """Whether a NUL-separated name table holds exactly ``name``."""
    n = name.encode()
    return table.startswith(n + b"\0") or b"\0" + n + b"\0" in table or table.endswith(b"\0" + n)


def one_sided_functions(
    names: list[str],
    other: bytes,
    modules: ModuleIndex,
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    """Of one build's function names, the declared functions of the program's own packages (not the
    standard library, not the modules in ``skip``) that no name of ``other`` (the other build's name
    table: compiled and inlined functions alike) is."""
    cands = []
    for n in names:
        kind, module = modules.owner(package_of(n))
        if kind in (MAIN, DEP) and module not in skip and declared(n):
            cands.append(n)
    if len(cands) > FUNCTION_SEARCHES:
        have = set(other.split(b"\0"))
        return [n for n in cands if n.encode() not in have]
    return [n for n in cands if not names_function(other, n)]


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
