"""The content family on pairs outside the fixture catalog, built with and without -trimpath:
-X values (changed, added, with backslashes), string literals (same and other length: Go sorts string
data by length, so the strings in between move), a changed C source, and strip vs default. Expected
causes and values come from how each pair was built."""

from __future__ import annotations

from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import DARWIN_ARM64, HELLO, NATIVE_CGO, SDE_CACHE, SOURCE_DATE_EPOCH, T, _replace_once
from gobuild import BuildSpec
from godet import api
from godet.explain.report import DiffReport

X = BuildSpec("xvars")
CGO = BuildSpec("cgoc", flags=T, env=(*NATIVE_CGO, *SOURCE_DATE_EPOCH), gocache=SDE_CACHE)


def _x(value: str | None, trim: bool) -> BuildSpec:
    flags = (*T,) if trim else ()
    return X.with_(flags=(*flags, f"-ldflags=-X main.version={value}") if value is not None else flags)


XD = X.with_(
    edits=_replace_once(
        "xvars", "main.go", "var version, date, commit string", 'var version = "dev"\nvar date, commit string'
    )
)


def _literal(new: str) -> BuildSpec:
    return HELLO.with_(flags=T, edits=_replace_once("hello", "main.go", "hello, godet", new))


TIME_MAIN = """package main

import (
\t"fmt"
\t"time"
)

func main() {
\tfmt.Println("%s")
\tfmt.Println(time.Unix(0, 0).UTC().Format(time.RFC822), time.Unix(0, 0).UTC().Format(time.ANSIC))
}
"""


def _time_literal(text: str) -> BuildSpec:
    """A program holding Go's time layouts ("02 Jan 06 15:04 MST", ...) next to a literal."""
    return HELLO.with_(flags=T, edits=(("main.go", TIME_MAIN % text),))


PAIRS: dict[str, tuple[BuildSpec, BuildSpec]] = {
    "x_changed": (_x("dev", False), _x("1.2.3", False)),
    "x_changed_trimpath": (_x("dev", True), _x("1.2.3", True)),
    "x_added": (_x(None, False), _x("1.4.2", False)),
    "x_added_trimpath": (_x(None, True), _x("1.4.2", True)),
    "x_backslashes": (_x("C:\\Users\\bob", False), _x("C:\\Users\\alice", False)),
    "x_added_over_a_default_trimpath": (
        XD.with_(flags=T),
        XD.with_(flags=(*T, "-ldflags=-X main.version=1.4.2")),
    ),
    "literal_same_length": (HELLO.with_(flags=T), _literal("hello, gadet")),
    "literal_other_length": (HELLO.with_(flags=T), _literal("hello there, godet")),
    "literal_near_time_layouts": (
        _time_literal("release notes"),
        _time_literal("release notes, second edition"),
    ),
    "c_source": (
        CGO,
        CGO.with_(edits=_replace_once("cgoc", "main.go", "return a + b;", "return a + b + 7;")),
    ),
    "c_source_no_trimpath": (
        CGO.with_(flags=()),
        CGO.with_(flags=(), edits=_replace_once("cgoc", "main.go", "return a + b;", "return a + b + 7;")),
    ),
    "strip_no_trimpath": (HELLO.with_(flags=("-ldflags=-s -w",)), HELLO),
}
X_VALUES = {  # pair -> (A's main.version, B's): None = not set
    "x_changed": ("dev", "1.2.3"),
    "x_changed_trimpath": ("dev", "1.2.3"),
    "x_added": (None, "1.4.2"),
    "x_added_trimpath": (None, "1.4.2"),
    "x_backslashes": ("C:\\Users\\bob", "C:\\Users\\alice"),
    "x_added_over_a_default_trimpath": (None, "1.4.2"),
}


@pytest.fixture(scope="module")
def pair(gobuild_available: gobuild.Toolchain):  # type: ignore[no-untyped-def]
    return lambda name: gobuild.build_pair(*PAIRS[name])


def diff(paths: tuple[Path, Path], share: float) -> DiffReport:
    rep = api.diff(str(paths[0]), str(paths[1]))
    assert rep.explained_bytes + rep.unexplained_bytes == rep.differing_bytes
    got = rep.explained_bytes / rep.differing_bytes
    assert got >= share, (got, [(r.unit, r.bytes) for r in rep.unexplained])
    return rep


def roots(rep: DiffReport) -> list[str]:
    return [c.cause for c in rep.causes if c.role == "root"]


@pytest.mark.parametrize("name", list(X_VALUES))
def test_x_value_is_ldflags_x_with_its_string_data(pair, name: str) -> None:  # type: ignore[no-untyped-def]
    """-X ⇒ its string data and header: never embedded-content, moved strings included."""
    rep = diff(pair(name), 0.95)
    assert roots(rep) == ["ldflags-x"], rep.causes
    (x,) = [c for c in rep.causes if c.cause == "ldflags-x"]
    ev = next(e for e in x.evidence if e.label == "-X main.version")
    assert (ev.a, ev.b) == X_VALUES[name]
    assert not any(c.cause in ("embedded-content", "string-literal") for c in rep.causes)


def test_x_value_of_a_stripped_mach_o_is_ldflags_x(gobuild_available: gobuild.Toolchain) -> None:
    """A stripped Mach-O keeps the symbols it imports (go tool nm lists them, all undefined): it
    has no symbols to name the variable by, and the value is found through its header, as on ELF.
    Found on tsgo (npm @typescript/native-preview-darwin-arm64), whose -X version went to
    source-change."""
    a, b = (
        X.with_(env=DARWIN_ARM64, flags=(*T, f"-ldflags=-s -w -X main.version={v}"))
        for v in ("1.2.3", "1.2.4")
    )
    pa, pb = gobuild.build_pair(a, b)
    kinds = {k for _, k, _ in oracles.go_tool_nm(pa)}
    assert kinds == {"U"}
    rep = diff((pa, pb), 0.99)
    assert roots(rep) == ["ldflags-x"], rep.causes
    (x,) = [c for c in rep.causes if c.cause == "ldflags-x"]
    assert any((e.a, e.b) == ("1.2.3", "1.2.4") for e in x.evidence)


def test_x_added_over_a_default_names_both_values(pair) -> None:  # type: ignore[no-untyped-def]
    """var version = "dev" in the source, -X main.version=1.4.2 on B only (-trimpath hides -ldflags)."""
    rep = diff(pair("x_added_over_a_default_trimpath"), 0.97)
    (x,) = [c for c in rep.causes if c.cause == "ldflags-x"]
    ev = next(e for e in x.evidence if e.label == "main.version (value)")
    assert (ev.a, ev.b) == ("dev", "1.4.2")


def test_x_without_trimpath_explains_nearly_everything(pair) -> None:  # type: ignore[no-untyped-def]
    for name in ("x_changed", "x_added", "x_added_trimpath"):
        diff(pair(name), 0.99)


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("literal_same_length", "godet", "gadet"),
        ("literal_other_length", "hello, godet", "hello there, godet"),
    ],
)
def test_string_literal(pair, name: str, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    rep = diff(pair(name), 0.95)
    assert roots(rep) == ["string-literal"], rep.causes
    (f,) = [c for c in rep.causes if c.cause == "string-literal"]
    assert any(e.a and old in e.a and e.b and new in e.b for e in f.evidence), f.evidence
    assert not any(c.cause in ("generated-order", "embedded-content", "source-change") for c in rep.causes)


def test_release_strings_and_bumped_constant_have_their_own_causes(
    gobuild_available: gobuild.Toolchain,
) -> None:
    """Another minor release beside a dependency bump (main prints dep.Version): the changed strings
    that only the standard library's code loads are the release's; the module's version string is
    the bump's."""
    import conftest

    rep = diff(gobuild.build_pair(*conftest.PAIRS["toolchain_minor_dep_const"]), 0.99)
    found = {c.because: c for c in rep.causes if c.cause == "string-literal"}
    assert set(found) == {"toolchain-version", "dependency-version"}, [
        (c.cause, c.because) for c in rep.causes
    ]
    assert all(c.role == "consequence" for c in found.values())
    bumped = found["dependency-version"]
    assert any(e.a and "1.0.0" in e.a and e.b and "1.1.0" in e.b for e in bumped.evidence), bumped.evidence
    assert found["toolchain-version"].bytes > 10 * bumped.bytes


def test_go_time_layouts_and_moved_strings_are_not_causes(pair) -> None:  # type: ignore[no-untyped-def]
    """Seen on two commits of a real program: Go's layout constants taken for a build time, strings
    moved by the length-sorted string data taken for generated order."""
    rep = diff(pair("literal_near_time_layouts"), 0.95)
    assert roots(rep) == ["string-literal"], rep.causes
    assert not any(c.cause in ("embedded-timestamp", "generated-order") for c in rep.causes)


def test_one_block_moved_is_not_an_order() -> None:
    import numpy as np

    from godet.explain.detectors.content.order import one_block_moved

    def arr(b: bytes) -> np.ndarray:
        return np.frombuffer(b, dtype=np.uint8)

    head, rest = b"hello, godet", b"sweepWaiterscleanupQueuebad message"
    assert one_block_moved(arr(head + rest), arr(rest + head))  # a string jumped over others
    keys = [b"alpha", b"bravo", b"charl", b"delta", b"echoo", b"foxtr", b"golfy", b"hotel"]
    assert not one_block_moved(arr(b"".join(keys)), arr(b"".join(reversed(keys))))  # a reordered table


def test_slid_table_is_not_an_order() -> None:
    """Entries of a table that slid by more than three places (a 16-byte table 4 entries along, as a
    patch release left hugo's charmap data) are moved data; a reversed table stays an order."""
    from godet.explain.detectors.content.order import _is_shift

    table = [(("w", k % 7), ("w", k)) for k in range(40)]
    slid = table[4:] + table[:4]
    moved = [i for i in range(len(table)) if table[i] != slid[i]]
    assert _is_shift(table, slid, moved, 16)
    assert not _is_shift(table, slid, moved, 256)  # 4 places of 256 bytes: beyond a slide
    rev = table[::-1]
    assert not _is_shift(table, rev, [i for i in range(len(table)) if table[i] != rev[i]], 16)


def test_layout_only_code_changes() -> None:
    """Listings that differ only in memory displacements and the frame's size read data whose
    layout moved (a bumped module's struct); another constant or instruction is a change of logic."""
    from types import SimpleNamespace

    from godet.explain.detectors.content.source import _layout_only

    def cc(pairs: list[tuple[str, str]], n: int = 3, m: int = 3) -> SimpleNamespace:
        return SimpleNamespace(pairs=pairs, a_insns=n, b_insns=m)

    field = ("0x4a0600  mov rcx, qword ptr [rax + 0x10]", "0x4a0600  mov rcx, qword ptr [rax + 0x20]")
    frame = ("0x4a0604  sub rsp, 0x28", "0x4a0604  sub rsp, 0x38")
    arm = ("0x10  ldr x1, [x0, #0x10]", "0x10  ldr x1, [x0, #0x20]")
    assert _layout_only(cc([field, frame]))
    assert _layout_only(cc([arm]))
    assert not _layout_only(cc([("0x1  imul rax, rax, 0x1f", "0x1  imul rax, rax, 0x25")]))
    assert not _layout_only(cc([("0x1  mov rcx, rax", "0x1  lea rcx, [rax + rax*8]")]))
    assert not _layout_only(cc([field], 3, 4))  # an instruction more
    assert not _layout_only(cc([(field[0], "")]))
    assert not _layout_only(None)


def test_moved_strings_follow_the_literal(pair) -> None:  # type: ignore[no-untyped-def]
    """A length change moves the strings in between: they are the literal's, not residual."""
    rep = diff(pair("literal_other_length"), 0.95)
    (f,) = [c for c in rep.causes if c.cause == "string-literal"]
    rodata = sum(r.bytes for r in rep.unexplained if r.unit.startswith(".rodata"))
    assert rodata == 0 and f.bytes > 30_000  # thousands of strings moved (the pair differs by 35 KB)


@pytest.mark.parametrize("name", ["c_source", "c_source_no_trimpath"])
def test_c_source_change(pair, name: str) -> None:  # type: ignore[no-untyped-def]
    """Same gcc, same flags (recorded without -trimpath), a changed constant in the cgo preamble."""
    rep = diff(pair(name), 0.99)
    assert roots(rep) == ["c-source-change"], rep.causes
    (f,) = [c for c in rep.causes if c.cause == "c-source-change"]
    labels = {e.label: e for e in f.evidence}
    assert labels["C compiler"].a == labels["C compiler"].b
    assert labels["cgo file hash"].a != labels["cgo file hash"].b
    assert any(lbl.startswith("C function") and "Cfunc_add" in lbl for lbl in labels)


def test_strip_without_trimpath_is_not_content(pair) -> None:  # type: ignore[no-untyped-def]
    """The runtime's modinfo copy holds -ldflags="-s -w": that is buildinfo, not embedded content."""
    rep = diff(pair("strip_no_trimpath"), 0.99)
    assert "embedded-content" not in roots(rep), rep.causes
    assert "build-setting" in roots(rep)


def _two_commits(a: Path, b: Path, share: float, stamped: bool = True) -> DiffReport:
    """The report on two releases of one program built by one toolchain from two commits (go
    version -m; ``stamped``: both record vcs.revision), which names the source change and the VCS
    stamps as its roots only (vcs-time may be a root or vcs-revision's consequence: the model decides)."""
    ma, mb = oracles.go_version_m_json(a), oracles.go_version_m_json(b)
    assert ma["GoVersion"] == mb["GoVersion"]
    if stamped:
        rev = [{s["Key"]: s["Value"] for s in m["Settings"]}["vcs.revision"] for m in (ma, mb)]
        assert rev[0] != rev[1]
    rep = diff((a, b), share)
    assert "source-change" in roots(rep) and set(roots(rep)) <= {"source-change", "vcs-revision", "vcs-time"}
    return rep


def test_two_commits_of_a_real_program(gobuild_available: gobuild.Toolchain) -> None:
    """esbuild 0.17.0 and 0.17.1 from npm: the same toolchain, two commits, a few functions changed.
    Strings moved by the length-sorted string data follow the source change; no build time, no order."""
    a, b = (gobuild.npm_binary("@esbuild/linux-x64", v) for v in ("0.17.0", "0.17.1"))
    rep = _two_commits(a, b, 0.99)
    assert not any(c.cause in ("embedded-timestamp", "generated-order", "string-literal") for c in rep.causes)


@pytest.mark.parametrize("package", ["@esbuild/linux-x64", "@esbuild/win32-x64"])
def test_tables_of_a_stripped_release_are_no_string_variables(
    package: str, gobuild_available: gobuild.Toolchain
) -> None:
    """esbuild 0.24.0 and 0.24.1 from npm (stripped, one toolchain, two commits): words of a table
    that look like a {ptr, len} header over other tables are not an embedded file."""
    a, b = (gobuild.npm_binary(package, v) for v in ("0.24.0", "0.24.1"))
    _two_commits(a, b, 0.98, stamped=False)


@pytest.mark.parametrize("seed", range(8))
def test_long_runs_are_the_runs_at_least_k_long(seed: int) -> None:
    """_long_runs (shifted ANDs and ORs) against the runs counted one by one."""
    import itertools

    import numpy as np

    from godet.compare.align import _long_runs

    rng = np.random.default_rng(seed)
    for _ in range(40):
        mask = rng.random(int(rng.integers(0, 400))) < rng.random()
        for k in (1, 2, 3, 7, 8, 9, 16):
            want = np.zeros(len(mask), dtype=bool)
            at = 0
            for value, run in itertools.groupby(mask.tolist()):
                size = len(list(run))
                want[at : at + size] = value and size >= k
                at += size
            got = _long_runs(mask, k)
            assert got.dtype == bool and np.array_equal(got, want), (len(mask), k)


@pytest.mark.parametrize("seed", range(10))
def test_first_hits_is_find_in_each_window(seed: int) -> None:
    """first_hits against bytes.find over each sample's window, on spans with repeated grams (small
    alphabets), moved blocks and grams found only outside their window."""
    import numpy as np

    from godet.compare import align as S

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(50, 120_000)), int(rng.integers(20, 120_000))
    alphabet = [2, 3, 256][seed % 3]
    x = rng.integers(0, alphabet, n, dtype=np.uint8)
    y = np.concatenate((rng.integers(0, alphabet, m % 999, dtype=np.uint8), x))[:m]  # x moved a little
    at = np.arange(0, max(0, n - S.GRAM + 1), max(S.GRAM, n // S.MAX_SAMPLES), dtype=np.int64)
    xb, yb = x.tobytes(), y.tobytes()
    want = [
        yb.find(xb[i : i + S.GRAM], max(0, i - S.REACH), min(m, i + S.REACH + S.GRAM)) for i in at.tolist()
    ]
    assert S.first_hits(x, y, at).tolist() == want
    weak = S._hash16
    try:  # grams sharing a hash: the ones found are checked byte for byte
        S._hash16 = lambda g: weak(g) & np.uint64(0xFF)  # type: ignore[assignment]
        assert S.first_hits(x, y, at).tolist() == want
    finally:
        S._hash16 = weak
    assert seed % 3 != 2 or sum(w >= 0 for w in want) > len(want) // 4  # blocks really found


def test_first_hits_without_any_candidate() -> None:
    """No place of the other span starts like any sampled gram: nothing found (and no error)."""
    import numpy as np

    from godet.compare import align as S

    x, y = np.full(64, 1, dtype=np.uint8), np.full(64, 2, dtype=np.uint8)
    at = np.arange(0, 64 - S.GRAM + 1, S.GRAM, dtype=np.int64)
    assert S.first_hits(x, y, at).tolist() == [-1] * len(at)
    assert S.first_hits(x, y[:3], at).tolist() == [-1] * len(at)


def test_align_blocks_follows_many_moves() -> None:
    """A release moves its strings by dozens of different lengths (each changed string shifts all
    that follow it): 50 blocks, each moved by its own offset, are all placed."""
    import numpy as np

    from godet.compare.align import NO_SHIFT, align_blocks

    rng = np.random.default_rng(5)
    blocks = [rng.integers(32, 127, 4000, dtype=np.uint8) for _ in range(50)]
    x = np.concatenate(blocks)
    y = np.concatenate(
        [np.concatenate((rng.integers(32, 127, 3 + i, dtype=np.uint8), b)) for i, b in enumerate(blocks)]
    )
    sx, _sy = align_blocks(x, y)
    assert float((sx != NO_SHIFT).mean()) > 0.95
    assert len(set(sx[sx != NO_SHIFT].tolist())) == 50  # each block at its own offset


VAR_MAIN = """package main

import (
\t_ "embed"
\t"fmt"
)

var version = "%s"

//go:embed VERSION
var release string

func mix(a, b int) int { return a*%d + b }

func main() { fmt.Println("version", version, release, mix(len(version), 3)) }
"""


def _var(version: str, factor: int = 31, release: str = "r1\n", strip: bool = False) -> BuildSpec:
    """A program with a string variable the source initialises (``version``) and one go:embed
    fills from a one-line file (``release``)."""
    flags = (*T, "-ldflags=-s -w") if strip else T
    return HELLO.with_(flags=flags, edits=(("main.go", VAR_MAIN % (version, factor)), ("VERSION", release)))


@pytest.mark.parametrize(
    ("b", "cause"),
    [
        (_var("1.2.4"), "string-literal"),  # same length
        (_var("1.2.10"), "string-literal"),  # longer: the strings in between move
        (_var("1.2.4", factor=37), "source-change"),  # with changed code: the source changed
        (_var("1.2.3", release="r2\n"), "embedded-content"),  # the embedded file (a line)
        (_var("1.2.4", strip=True), "string-literal"),  # no symbols: a version, yet no -X value
    ],
    ids=["same-length", "other-length", "with-code", "embedded-line", "stripped"],
)
def test_variable_initialised_in_the_source(
    gobuild_available: gobuild.Toolchain, b: BuildSpec, cause: str
) -> None:
    """``var version = "1.2.3"`` edited is a source literal, not embedded content: its value lies
    among the string literals like any literal's; with code changed
    beside it, it is part of that source change. A go:embed file of a line keeps its cause."""
    stripped = "-ldflags=-s -w" in b.flags
    pa, pb = gobuild.build_pair(_var("1.2.3", strip=stripped), b)
    if not stripped:
        assert {"main.version", "main.release"} <= {name for _a, _k, name in oracles.go_tool_nm(pa)}
    rep = diff((pa, pb), 0.99)
    assert roots(rep) == [cause], rep.causes
    (f,) = [c for c in rep.causes if c.cause == cause]
    if cause != "embedded-content":
        label = "string variable at" if stripped else "main.version"
        ev = next(e for e in f.evidence if e.label.startswith(label))
        assert ev.a == "1.2.3" and ev.b in ("1.2.4", "1.2.10")


def test_variable_initialised_in_the_source_beside_a_release(gobuild_available: gobuild.Toolchain) -> None:
    """Stripped, beside another release (the blob of literals aligned on its estimate): the
    variable's new value is the program's own literal, not embedded content (Debian's stayrtr
    0.6.2 -> 0.6.4: "RTRdump 0.6.2" became "RTRdump 0.6.4" beside go1.24 -> go1.26)."""
    a = _var("1.2.3", strip=True).with_(toolchain="1.26.6")
    pa, pb = gobuild.build_pair(a, _var("1.2.4", strip=True))
    versions = [oracles.go_version_m_json(p)["GoVersion"] for p in (pa, pb)]
    assert versions[0] == "go1.26.6" and versions[1] != versions[0]
    rep = diff((pa, pb), 0.99)
    assert sorted(roots(rep)) == ["string-literal", "toolchain-version"], rep.causes
    assert not any(c.cause == "embedded-content" for c in rep.causes)
    (f,) = [c for c in rep.causes if c.cause == "string-literal" and c.role == "root"]
    assert any(e.b and "1.2.4" in e.b for e in f.evidence), f.evidence


@pytest.mark.parametrize(
    ("package", "versions", "names"),
    [
        (("lefthook-linux-x64", ("2.2.1", "2.2.2"), ("lefthook",))),
        (("esbuild-windows-32", ("0.14.53", "0.14.54"), ("esbuild.exe",))),
    ],
)
def test_two_commits_of_released_programs_name_no_content(
    gobuild_available: gobuild.Toolchain, package: str, versions: tuple[str, str], names: tuple[str, ...]
) -> None:
    """Releases from npm, one toolchain, two commits (go version -m). lefthook 2.2.2 changed a
    string a []string initialiser holds ("--" became "--format=%gd %H %gs") beside its code: the
    source change's, not embedded content. esbuild's windows-32 build (PE, 386) holds word pairs
    that read as a 1.3 MB string spanning the type descriptors' end and the modinfo text: no
    string, so the VCS revision explains its own bytes only."""
    a, b = (gobuild.npm_binary(package, v, names) for v in versions)
    rep = _two_commits(a, b, 0.99)
    (vcs,) = [c for c in rep.causes if c.cause == "vcs-revision"]
    assert vcs.bytes < 1000, vcs  # its lines in buildinfo and the runtime's modinfo copy
