"""Absolute paths baked into a binary, grouped into the roots a developer recognises.

Sources: the pclntab file table, DWARF line-table directories, unit ``comp_dir`` values,
``.debug_gdb_scripts``, build settings in buildinfo (CGO_*FLAGS, -ldflags, -pgo, local
replacements), and a bounded scan of read-only data (``runtime.defaultGOROOT``, ``-X`` values).
Thousands of files reduce to a handful of roots: the GOROOT, the main module's directory, the
module cache, a GOPATH, cgo/linker temp dirs, and whatever else is absolute.

Kinds, most specific first: ``cgo-work`` (``/tmp/go-build123…``, ``$WORK``), ``link-work``
(``/tmp/go-link-123``), ``goroot``, ``build-dir``, ``module-cache``, ``gopath``, ``home``,
``absolute``. ``under_home`` says whether a root lies in a user's home directory, whatever its kind.
Placeholders that cmd/go itself writes to make paths stable (``/_/…`` from ``-ffile-prefix-map``,
the bare ``/tmp/go-build`` that stands for ``$WORK``) are not leaks and are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from godet.read.binary import Binary

KINDS = ("cgo-work", "link-work", "goroot", "build-dir", "module-cache", "gopath", "home", "absolute")
SOURCES = ("pclntab", "dwarf-line", "dwarf-info", "gdb-scripts", "rodata", "buildinfo")

# Bytes of read-only data scanned at most (per binary) and candidate strings kept at most.
MAX_RODATA_SCAN = 64 << 20
MAX_RODATA_HITS = 10_000
MAX_MAIN_FUNCS = 200

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_CGO_WORK = re.compile(r"(^|/)(go-build\d+|\$WORK)(/|$)")
_LINK_WORK = re.compile(r"(^|/)go-link-\d+(/|$)")
_HOME = re.compile(r"^(/home/[^/]+|/Users/[^/]+|/root|[A-Za-z]:/Users/[^/]+)(/|$)", re.IGNORECASE)
_MODCACHE = re.compile(r"^(.*?/pkg/mod)/(?!cache/)[^/]+")
_GOPATH_SRC = re.compile(r"^(.*?)/src/([^/]+)")
# no spaces: Go strings in rodata are not NUL-terminated, so a space would run into the next string
_RODATA_PATH = re.compile(rb"(?:/|[A-Za-z]:[\\/])[\w.@+~%$-]+(?:[\\/][\w.@+~%$-]+)+")
_VALUE_PATH = re.compile(r"""(?:^|(?<=[\s='":,])|(?<=-[ILFB]))((?:/|[A-Za-z]:[\\/])[^\s'":,]+)""")


@dataclass(frozen=True)
class EmbeddedPath:
    """One root directory embedded in the binary, how many paths fall under it, and where.

    ``count`` is the number of distinct path strings (pclntab files, DWARF directories, setting
    values, …) reported under this root; ``where`` lists the sources (:data:`SOURCES`) they came from.
    """

    path: str
    kind: str
    where: tuple[str, ...]
    count: int
    under_home: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "where": list(self.where),
            "count": self.count,
            "under_home": self.under_home,
        }


@dataclass(frozen=True)
class PathHints:
    """Roots already known for this binary, which make classification exact."""

    goroots: tuple[str, ...] = ()
    build_dirs: tuple[str, ...] = ()
    module_caches: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()  # "escaped/module/path@version" of the dependencies


# --------------------------------------------------------------------------------------------
# pure helpers


def normalize(path: str) -> str:
    """Forward slashes (Windows paths keep their drive letter), no trailing slash."""
    p = path.replace("\\", "/")
    if len(p) > 1 and p.endswith("/") and not re.match(r"^[A-Za-z]:/$", p):
        p = p.rstrip("/") or "/"
    return p


def is_absolute(path: str) -> bool:
    """POSIX absolute, a drive path (``C:\\`` or ``C:/``) or a UNC path."""
    return path.startswith("/") or bool(_DRIVE.match(path)) or path.startswith("\\\\")


def is_placeholder(path: str) -> bool:
    """A stable stand-in written by cmd/go (``/_/…``, bare ``/tmp/go-build``), not a real location."""
    p = normalize(path)
    return p.startswith("/_/") or p == "/_" or p == "/tmp/go-build" or p.startswith("/tmp/go-build/")


def under_home(path: str) -> bool:
    """Whether the path lies in a user's home directory."""
    return bool(_HOME.match(normalize(path)))


def _under(path: str, root: str) -> bool:
    if not root:
        return False
    a, r = normalize(path), normalize(root)
    if _DRIVE.match(r):
        a, r = a.lower(), r.lower()
    return a == r or a.startswith(r.rstrip("/") + "/")


def escape_module_path(path: str) -> str:
    """The module cache spelling of a module path (``Azure`` -> ``!azure``)."""
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def classify_path(path: str, hints: PathHints | None = None) -> str:
    """The kind of one path: a value of :data:`KINDS`, or ``relative`` / ``placeholder`` (not leaks)."""
    if path.startswith("$WORK"):
        return "cgo-work"
    if not is_absolute(path):
        return "relative"
    if is_placeholder(path):
        return "placeholder"
    p = normalize(path)
    h = hints or PathHints()
    if _CGO_WORK.search(p):
        return "cgo-work"
    if _LINK_WORK.search(p):
        return "link-work"
    if any(_under(p, r) for r in h.goroots):
        return "goroot"
    if any(_under(p, r) for r in h.module_caches) or (_MODCACHE.match(p) and "@" in p):
        return "module-cache"
    if any(f"/{m}/" in p + "/" for m in h.modules):
        return "module-cache"
    if any(_under(p, r) for r in h.build_dirs):
        return "build-dir"
    m = _GOPATH_SRC.match(p)
    if m and not h.goroots:
        # without a known GOROOT, "<root>/src/<std>" (no dot in the first element) is a GOROOT
        return "goroot" if "." not in m.group(2) else "gopath"
    if m and "." in m.group(2):
        return "gopath"
    if under_home(p):
        return "home"
    return "absolute"


def root_of(path: str, kind: str, hints: PathHints | None = None) -> str:
    """The directory to report ``path`` under, for its ``kind``."""
    p = normalize(path)
    h = hints or PathHints()
    if kind in ("cgo-work", "link-work"):
        m = (_CGO_WORK if kind == "cgo-work" else _LINK_WORK).search(p)
        if m:
            end = m.end() - (1 if p[m.end() - 1 : m.end()] == "/" else 0)
            return p[:end]
    for roots, k in ((h.goroots, "goroot"), (h.build_dirs, "build-dir"), (h.module_caches, "module-cache")):
        if kind == k:
            for r in sorted(roots, key=len, reverse=True):
                if _under(p, r):
                    return normalize(r)
    if kind == "module-cache":
        m = _MODCACHE.match(p)
        if m:
            return m.group(1)
        for mod in h.modules:
            i = (p + "/").find(f"/{mod}/")
            if i >= 0:
                return p[:i] or "/"
    if kind in ("gopath", "goroot"):
        m = _GOPATH_SRC.match(p)
        if m:
            return m.group(1) or "/"
    return p


def _dirname(path: str) -> str:
    p = normalize(path)
    i = p.rfind("/")
    if i <= 0:
        return "/" if i == 0 else p
    if _DRIVE.match(p) and i == 2:
        return p[:3]
    return p[:i]


def goroot_candidates(paths: Iterable[str]) -> list[str]:
    """GOROOTs implied by ``<root>/src/runtime/…`` files or directories (most frequent first)."""
    counts: dict[str, int] = {}
    for raw in paths:
        p = normalize(raw)
        i = p.find("/src/runtime/")
        if i < 0 and p.endswith("/src/runtime"):
            i = len(p) - len("/src/runtime")
        if i > 0 and is_absolute(p) and not is_placeholder(p):
            root = p[:i]
            counts[root] = counts.get(root, 0) + 1
    return sorted(counts, key=lambda r: -counts[r])


# --------------------------------------------------------------------------------------------
# gathering


@dataclass
class _Gather:
    """Raw paths per source (path -> occurrences)."""

    by_source: dict[str, dict[str, int]] = field(default_factory=lambda: {s: {} for s in SOURCES})

    def add(self, source: str, path: str, n: int = 1) -> None:
        if path and (is_absolute(path) or path.startswith("$WORK")):
            d = self.by_source[source]
            d[path] = d.get(path, 0) + n

    def all(self) -> Iterable[str]:
        for d in self.by_source.values():
            yield from d


def _main_package_dirs(binary: Binary) -> list[str]:
    """Directories of the main package's source files: pclntab ``main.*`` functions, else DWARF."""
    dirs: dict[str, int] = {}
    pc = binary.pclntab
    if pc is not None:
        seen = 0
        for i in pc.with_prefix("main.").tolist():
            try:
                files = pc.func_files(pc.func(i))
            except (ValueError, IndexError, KeyError):
                continue
            for file in files or ():
                if is_absolute(file) and not is_placeholder(file):
                    d = _dirname(file)
                    dirs[d] = dirs.get(d, 0) + 1
            seen += 1
            if seen >= MAX_MAIN_FUNCS:
                break
    if not dirs:
        for cu in binary.dwarf.cus:
            if cu.name == "main":
                for d in [*cu.line_dirs, *cu.file_dirs]:
                    if is_absolute(d) and not is_placeholder(d):
                        dirs[normalize(d)] = dirs.get(normalize(d), 0) + 1
    return sorted(dirs, key=lambda d: -dirs[d])


def _module_root(pkg_dir: str, binary: Binary) -> str:
    """The main module's directory, given its main package's directory and buildinfo's paths."""
    bi = binary.buildinfo
    if bi is None or bi.main is None or not bi.path:
        return pkg_dir
    mod, pkg = bi.main.path, bi.path
    if pkg.startswith(mod + "/"):
        rel = pkg[len(mod) + 1 :]
        if pkg_dir.endswith("/" + rel):
            return pkg_dir[: -len(rel) - 1]
    return pkg_dir


def _setting_paths(binary: Binary, g: _Gather) -> None:
    bi = binary.buildinfo
    if bi is None:
        return
    for key, value in bi.settings:
        if key == "-pgo":  # a profile file: report its directory
            g.add("buildinfo", _dirname(value) if is_absolute(value) else value)
        elif key in ("-ldflags", "-gcflags", "-asmflags") or key.startswith("CGO_"):
            for m in _VALUE_PATH.finditer(value):
                g.add("buildinfo", m.group(1))
    mods = [bi.main, *bi.deps] if bi.main is not None else list(bi.deps)
    for m in mods:
        rep = getattr(m, "replace", None)
        if rep is not None and is_absolute(rep.path):
            g.add("buildinfo", rep.path)


def _module_hints(binary: Binary) -> tuple[str, ...]:
    bi = binary.buildinfo
    if bi is None:
        return ()
    return tuple(f"{escape_module_path(d.path)}@{d.version}" for d in bi.deps if d.version and d.path)


def _rodata_sections(binary: Binary) -> list[tuple[int, int]]:
    """(file offset, size) ranges of read-only data, minus the pclntab and DWARF."""
    from godet.read.formats import section_names

    im = binary.image
    names = section_names("rodata", "relro", "cstring")
    split = tuple(f"{n}." for n in section_names("rodata"))  # (C objects' .rodata.str1.1, ...)
    out = []
    for s in im.sections:
        if s.size and (s.name in names or s.name.startswith(split)):
            out.append((s.offset, s.size))
    # PE keeps pclntab inside .rdata: cut it out when its range is known
    pc = binary.pclntab
    start = getattr(pc, "offset", None) if pc is not None else None
    size = getattr(pc, "size", None) if pc is not None else None
    if isinstance(start, int) and isinstance(size, int) and size > 0:
        cut = []
        for off, n in out:
            if start >= off + n or start + size <= off:
                cut.append((off, n))
                continue
            if start > off:
                cut.append((off, start - off))
            if start + size < off + n:
                cut.append((start + size, off + n - start - size))
        out = cut
    return out


def _home_of(path: str) -> str:
    m = _HOME.match(normalize(path))
    return m.group(1).lower() if m else ""


def _scan_rodata(binary: Binary, g: _Gather, roots: list[str]) -> None:
    """Known roots and leak-shaped paths (temp dirs, module cache, known homes) in read-only data.

    A path under a home directory counts only when that home already shows up in another source:
    programs carry example paths in their help text (cmd/go says ``/home/user/go``).
    """
    budget = MAX_RODATA_SCAN
    hits = 0
    needles = [(r, normalize(r).encode("utf-8", "replace")) for r in roots if len(r) > 3]
    homes = {_home_of(p) for p in g.all()} - {""}
    for off, size in _rodata_sections(binary):
        n = min(size, budget)
        if n <= 0:
            break
        budget -= n
        data = binary.image.data[off : off + n]  # a view: re works on the mapping, nothing is copied
        for root, needle in needles:
            c = sum(1 for _ in re.finditer(re.escape(needle), data))
            if c:
                g.add("rodata", root, c)
        for m in _path_matches(data):
            s = m.group(0).decode("utf-8", "replace")
            home = _home_of(s)
            if not (home in homes or "go-build" in s or "go-link-" in s or "$WORK" in s):
                continue  # (neither kind counted below: classify_path not needed)
            kind = classify_path(s)
            if kind in ("cgo-work", "link-work") or (
                kind in ("module-cache", "home", "gopath") and home and home in homes
            ):
                g.add("rodata", s)
                hits += 1
                if hits >= MAX_RODATA_HITS:
                    return


_PATH_BYTES = frozenset(b"_.@+~%$-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _path_matches(data: Any) -> Iterable[re.Match[bytes]]:
    """What ``_RODATA_PATH.finditer(data)`` yields, trying the pattern only where a match can start:
    a slash before a path character, or a drive letter before ``:/`` or ``:\\`` (found with numpy;
    letting ``re`` scan megabytes of read-only data for its alternation is several times slower)."""
    import numpy as np

    arr = np.frombuffer(data, dtype=np.uint8)
    if len(arr) < 3:
        return
    allowed = np.zeros(256, dtype=bool)
    allowed[list(_PATH_BYTES)] = True
    slash = np.flatnonzero(arr[:-1] == 0x2F)
    starts = slash[allowed[arr[slash + 1]]]
    colon = np.flatnonzero((arr[1:-1] == 0x3A) & ((arr[2:] == 0x2F) | (arr[2:] == 0x5C)))
    letter = arr[colon] | 0x20
    drives = colon[(letter >= 0x61) & (letter <= 0x7A)]
    if len(drives):
        starts = np.sort(np.concatenate((starts, drives)))  # (a drive letter is never a slash)
    end = 0  # matches do not overlap: the next one starts after the last one ended
    for p in starts.tolist():
        if p < end:
            continue
        m = _RODATA_PATH.match(data, p)
        if m is not None:
            end = m.end()
            yield m


def _collapse(dirs: dict[str, tuple[int, set[str]]]) -> dict[str, tuple[int, set[str]]]:
    """Merge directories into their reported ancestors (``/usr/include/bits`` into ``/usr/include``)."""
    out: dict[str, tuple[int, set[str]]] = {}
    for d in sorted(dirs, key=len):
        parent = next((r for r in out if _under(d, r)), None)
        if parent is None:
            out[d] = (dirs[d][0], set(dirs[d][1]))
        else:
            n, w = out[parent]
            out[parent] = (n + dirs[d][0], w | dirs[d][1])
    return out


def find_paths(binary: Binary) -> list[EmbeddedPath]:
    """Every absolute-path root embedded in ``binary``, classified, with counts and sources."""
    g = _Gather()
    pc = binary.pclntab
    for f in (getattr(pc, "files", None) or []) if pc is not None else []:
        g.add("pclntab", f)
    dw = binary.dwarf
    for d in [*dw.line_dirs, *dw.file_dirs]:
        g.add("dwarf-line", d)
    for cu in dw.cus:
        g.add("dwarf-info", cu.comp_dir)
        g.add("dwarf-info", cu.name)  # C units name their source file, sometimes absolutely
    if dw.gdb_script:
        g.add("gdb-scripts", dw.gdb_script)
    _setting_paths(binary, g)

    goroots = goroot_candidates(g.all())
    hints = PathHints(goroots=tuple(goroots), modules=_module_hints(binary))
    build_dirs: list[str] = []
    for d in _main_package_dirs(binary):
        kind = classify_path(d, hints)
        if kind in ("absolute", "home", "gopath"):
            build_dirs.append(_module_root(d, binary))
            break
    hints = PathHints(goroots=hints.goroots, build_dirs=tuple(build_dirs), modules=hints.modules)
    caches = {root_of(p, "module-cache", hints) for p in g.all() if classify_path(p, hints) == "module-cache"}
    hints = PathHints(hints.goroots, hints.build_dirs, tuple(sorted(caches)), hints.modules)
    _scan_rodata(binary, g, [*hints.goroots, *hints.build_dirs, *hints.module_caches])

    grouped: dict[tuple[str, str], tuple[int, set[str]]] = {}
    loose: dict[str, dict[str, tuple[int, set[str]]]] = {"home": {}, "absolute": {}}
    for source, paths in g.by_source.items():
        for raw in paths:
            kind = classify_path(raw, hints)
            if kind in ("relative", "placeholder"):
                continue
            if kind in loose:
                # files from pclntab and gdb-scripts name a file; everything else names a directory
                d = _dirname(raw) if source in ("pclntab", "gdb-scripts", "rodata") else normalize(raw)
                n, w = loose[kind].get(d, (0, set()))
                loose[kind][d] = (n + 1, w | {source})
                continue
            key = (root_of(raw, kind, hints), kind)
            n, w = grouped.get(key, (0, set()))
            grouped[key] = (n + 1, w | {source})
    for kind, dirs in loose.items():
        for d, v in _collapse(dirs).items():
            grouped[(d, kind)] = v
    out = [
        EmbeddedPath(p, k, tuple(s for s in SOURCES if s in w), n, under_home=under_home(p))
        for (p, k), (n, w) in grouped.items()
    ]
    out.sort(key=lambda e: (KINDS.index(e.kind), e.path))
    return out
