"""The content detector on real pairs: -X strings, build times, go:embed data, order, code, C code.

Every pair differs by one known input (tests/conftest.py PAIRS); the expected evidence comes from
that input (the -X value passed, the file embedded, the line edited) or from the Go toolchain's own
tools (go tool nm, go tool objdump, go version -m), never from godet. Each test also checks that
at least 95 % of the differing bytes are explained.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gobuild
import oracles
from conftest import CGOC_T, PAIRS, TESTDATA, _file
from conftest import EMBED_FS_MAIN as FS_MAIN
from gobuild import BuildSpec
from godet import api
from godet.explain.report import DiffReport
from godet.read.binary import open_binaries

SHARE = 0.95
T = ("-trimpath",)
STRIP = "-s -w"


def _fs(version: str, flags: tuple[str, ...]) -> BuildSpec:
    files = (("main.go", FS_MAIN), ("static/a.txt", f"file a {version}\n"), ("static/b.css", "body{}\n"))
    return BuildSpec("embed", flags=flags, edits=files)


SMALL_KEYS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
SMALL_MAP = """package main

import "fmt"

// small is emitted in the generator's map iteration order (few entries: the compiler makes code).
var small = map[string]int{
%s}

func init() { fmt.Sprint(len(small)) }
"""


def _small(order: list[int]) -> tuple[tuple[str, str], ...]:
    lines = "".join(f'\t"{SMALL_KEYS[i]}": {i * 7 + 3},\n' for i in order)
    return (("small_gen.go", SMALL_MAP % lines),)


EMBED_BYTES = _file("embed", "main.go").replace("var data string", "var data []byte").replace(
    "fmt.Print(data)", "fmt.Print(string(data))")

#: extra pairs for the paths the conftest pairs do not take (stripped binaries, embed.FS, ...)
EXTRA: dict[str, tuple[BuildSpec, BuildSpec]] = {
    "genorder_code": (
        BuildSpec("genorder", flags=T, edits=_small(list(range(10)))),
        BuildSpec("genorder", flags=T, edits=_small(list(range(9, -1, -1)))),
    ),
    "embed_bytes": (
        BuildSpec("embed", flags=T, edits=(("main.go", EMBED_BYTES),)),
        BuildSpec("embed", flags=T,
                  edits=(("main.go", EMBED_BYTES), ("data.txt", "embedded content, version B\n"))),
    ),
    "x_time_stripped": (
        BuildSpec("xvars", flags=(*T, f"-ldflags={STRIP} -X main.date=2026-11-20T10:00:00Z")),
        BuildSpec("xvars", flags=(*T, f"-ldflags={STRIP} -X main.date=2026-11-21T18:45:09Z")),
    ),
    "genorder_stripped": (
        BuildSpec("genorder", flags=(*T, f"-ldflags={STRIP}")),
        BuildSpec("genorder", flags=(*T, f"-ldflags={STRIP}"), edits=PAIRS["genorder"][1].edits),
    ),
    "embed_fs": (_fs("v1", T), _fs("v2", T)),
    "embed_fs_stripped": (_fs("v1", (*T, f"-ldflags={STRIP}")), _fs("v2", (*T, f"-ldflags={STRIP}"))),
    # the same files under two releases that store an embedded file's hash with other first bytes
    "embed_fs_releases": (_fs("v1", T).with_(toolchain="1.24.11"), _fs("v1", T)),
    "cgo_date_stripped": (
        CGOC_T.with_(flags=(*T, f"-ldflags={STRIP}"), gocache="content-date-a"),
        CGOC_T.with_(flags=(*T, f"-ldflags={STRIP}"), gocache="content-date-b"),
    ),
}


@pytest.fixture(scope="session")
def extra_pair(gobuild_available: gobuild.Toolchain) -> Callable[[str], tuple[Path, Path]]:
    return lambda name: gobuild.build_pair(*EXTRA[name])


def diff(a: Path, b: Path) -> DiffReport:
    rep = api.diff(str(a), str(b))
    share = rep.explained_bytes / rep.differing_bytes
    print(f"{a.name}: {rep.explained_bytes}/{rep.differing_bytes} bytes explained ({share:.2%})")
    assert share >= SHARE, [(r.unit, r.bytes) for r in rep.unexplained]
    return rep


def top_root(rep: DiffReport):  # type: ignore[no-untyped-def]
    roots = [c for c in rep.causes if c.role == "root"]
    assert roots, rep.causes
    return roots[0]


def x_value(spec: BuildSpec, var: str) -> str:
    """The value ``-X var=value`` of a spec's -ldflags (the input, not the binary)."""
    flags = next(f for f in spec.flags if f.startswith("-ldflags="))
    toks = shlex.split(flags.removeprefix("-ldflags="))
    return next(t.split("=", 1)[1] for i, t in enumerate(toks)
                if i and toks[i - 1] == "-X" and t.startswith(var + "="))


def digest(raw: bytes) -> str:
    return f"{len(raw):,} bytes, sha256 {hashlib.sha256(raw).hexdigest()[:16]}"


def nm_kinds(path: Path) -> dict[str, str]:
    return {name: kind for _addr, kind, name in oracles.go_tool_nm(path)}


@cache
def objdump(path: Path, operands: bool = False) -> tuple[dict[str, list[str]], dict[str, str]]:
    """``go tool objdump``: function -> opcode sequence, and function -> source file (oracle).

    ``operands``: whole instructions, with PC-relative offsets and absolute targets blanked.
    """
    tc = gobuild.toolchain()
    out = subprocess.run([str(tc.go), "tool", "objdump", str(path)], env=gobuild.go_env(tc),
                         capture_output=True, text=True, check=True).stdout
    funcs: dict[str, list[str]] = {}
    files: dict[str, str] = {}
    current: list[str] | None = None
    for line in out.splitlines():
        m = re.match(r"^TEXT (\S+)\(SB\) ?(.*)$", line)
        if m:
            current = funcs.setdefault(m.group(1), [])
            files[m.group(1)] = m.group(2)
            continue
        cols = [c.strip() for c in line.split("\t") if c.strip()]
        if current is not None and len(cols) >= 4:
            asm = re.sub(r"-?0x[0-9a-f]+\(IP\)|\b0x[0-9a-f]{5,}\b", "ADDR", cols[3]) if operands else cols[3]
            current.append(asm if operands else asm.split()[0])
    return funcs, files


# ------------------------------------------------------------------------------------ -X


def test_x_time(gopair: Callable) -> None:
    a, b = gopair("x_time")
    spec_a, spec_b = PAIRS["x_time"]
    settings = {s["Key"] for s in oracles.go_version_m_json(a).get("Settings", [])}
    assert "-ldflags" not in settings  # -trimpath: buildinfo does not record the -X flags
    rep = diff(a, b)
    top = top_root(rep)
    assert (top.cause, top.key) == ("ldflags-x", "main.date")
    ev = top.evidence[0]
    want = (x_value(spec_a, "main.date"), x_value(spec_b, "main.date"))
    assert (ev.label, ev.a, ev.b) == ("-X main.date", *want)
    for path in (a, b):
        assert nm_kinds(path).get("main.date.str") == "R"  # the linker's -X string symbol


def test_x_time_without_symbols(extra_pair: Callable) -> None:
    a, b = extra_pair("x_time_stripped")
    assert not any(name == ".symtab" for name, *_ in oracles.readelf_sections(a))
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "ldflags-x" and top.key is None
    spec_a, spec_b = EXTRA["x_time_stripped"]
    want = (x_value(spec_a, "main.date"), x_value(spec_b, "main.date"))
    assert (top.evidence[0].a, top.evidence[0].b) == want
    assert "timestamp" in top.summary


def test_ldflags_recorded_is_not_reported_twice(gopair: Callable) -> None:
    a, b = gopair("two_causes")  # no -trimpath: buildinfo names the -X value itself
    rep = api.diff(str(a), str(b))
    xs = [c for c in rep.causes if c.cause == "ldflags-x"]
    assert len(xs) == 1 and xs[0].key == "main.version"


# ------------------------------------------------------------------------------------ build times


STAMP = re.compile(rb"C build stamp: [A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d")


@pytest.mark.parametrize("pair", ["cgo_date", "cgo_date_stripped"])
def test_cgo_date(gopair: Callable, extra_pair: Callable, pair: str) -> None:
    a, b = gopair(pair) if pair in PAIRS else extra_pair(pair)
    stamps = [STAMP.findall(Path(p).read_bytes()) for p in (a, b)]  # oracle: the raw files
    assert all(len(s) == 1 for s in stamps) and stamps[0] != stamps[1]
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "embedded-timestamp"
    assert (top.evidence[0].a, top.evidence[0].b) == (stamps[0][0].decode(), stamps[1][0].decode())
    assert "__DATE__" in top.evidence[0].label


# ------------------------------------------------------------------------------------ go:embed


def test_embed(gopair: Callable) -> None:
    a, b = gopair("embed")
    want_a = (TESTDATA / "embed" / "data.txt").read_bytes()
    want_b = dict(PAIRS["embed"][1].edits)["data.txt"].encode()
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "embedded-content"
    assert top.places == ["main.data"] and nm_kinds(a)["main.data"] == "D"
    assert (top.evidence[0].a, top.evidence[0].b) == (digest(want_a), digest(want_b))
    text = top.evidence[1]
    assert "version A" in text.a and "version B" in text.b  # type: ignore[operator]


@pytest.mark.parametrize("pair", ["embed_fs", "embed_fs_stripped"])
def test_embed_fs(extra_pair: Callable, pair: str) -> None:
    a, b = extra_pair(pair)
    files = [dict(spec.edits) for spec in EXTRA[pair]]
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "embedded-content"
    assert top.places == ["static/a.txt"]  # static/b.css is the same in both
    ev = top.evidence[0]
    assert ev.label == "embedded file static/a.txt"
    assert (ev.a, ev.b) == tuple(digest(f["static/a.txt"].encode()) for f in files)
    if pair == "embed_fs":
        assert "main.content" in top.summary and nm_kinds(a)["main.content.files"] in "rR"
    # main's code loads the FS (its symbol main.content, go tool nm: a data symbol of package main),
    # found by the code that loads it also without symbols
    users = [e for e in top.evidence if e.label == "embed.FS used by"]
    assert [(e.a, e.b) for e in users] == [("main", "main")]
    if pair == "embed_fs":
        assert nm_kinds(a)["main.content"] in "dD"
    else:  # without symbols the FS is named after the package that uses it
        assert "an embed.FS of main differ" in top.summary


def test_embed_fs_same_files_under_another_release(extra_pair: Callable) -> None:
    """go1.24 stores an embedded file's truncated SHA-256 with its first byte XOR 1, go1.26 and later
    XOR 0xff: the same files under both releases differ in that byte only, and are no embedded
    content change (the releases explain the table)."""
    a, b = extra_pair("embed_fs_releases")
    hashes = []
    for path in (a, b):
        with open_binaries(str(path)) as xs:
            (table,) = xs[0].embed_tables
            f = next(f for f in table.files if f.name == "static/a.txt")
            data = xs[0].image.read_va(f.data_va, f.data_len)
            assert data == b"file a v1\n"  # the file as the test wrote it, on both sides
            hashes.append(f.hash)
            assert f.hash[1:] == hashlib.sha256(data).digest()[1:16]
    assert hashes[0][0] != hashes[1][0]  # the byte the releases store differently
    rep = diff(a, b)
    assert [c.cause for c in rep.causes if c.role == "root"] == ["toolchain-version"]
    assert "embedded-content" not in {c.cause for c in rep.causes}


# ------------------------------------------------------------------------------------ order


@pytest.mark.parametrize("pair", ["genorder", "genorder_stripped"])
def test_genorder(gopair: Callable, extra_pair: Callable, pair: str) -> None:
    a, b = gopair(pair) if pair in PAIRS else extra_pair(pair)
    src_a = _file("genorder", "tables_gen.go")
    src_b = dict(PAIRS["genorder"][1].edits)["tables_gen.go"]
    assert sorted(src_a.splitlines()) == sorted(src_b.splitlines())  # same entries, other order
    names = set(re.findall(r'"(\w+)"', src_a))
    numbers = {int(x, 0) for x in re.findall(r"\b(0x[0-9a-f]+|\d+)\b", src_a)}
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "generated-order"
    assert [c.cause for c in rep.causes if c.role == "root"] == ["generated-order"]
    kinds = set()
    for ev in top.evidence:
        assert ev.a and ev.b and ev.a != ev.b
        if "bytes of strings" in ev.label:  # the key strings, laid out in another order
            kinds.add("text")
            assert sorted(ev.a) == sorted(ev.b)
        elif "'" in ev.a:  # string headers (the map keys, the table's names): same names, other order
            kinds.add("strings")
            assert set(re.findall(r"'(\w+)'", ev.a + ev.b)) <= names
        else:  # the map's values
            kinds.add("values")
            for side in (ev.a, ev.b):
                assert {int(x, 16) for x in re.findall(r"0x[0-9a-f]+", side)} <= numbers
    assert kinds == {"text", "strings", "values"}


def test_generated_code_order(extra_pair: Callable) -> None:
    a, b = extra_pair("genorder_code")
    ops_a, _ = objdump(a, operands=True)
    ops_b, _ = objdump(b, operands=True)
    reordered = sorted(n for n in ops_a.keys() & ops_b.keys()
                       if ops_a[n] != ops_b[n] and sorted(ops_a[n]) == sorted(ops_b[n]))
    assert reordered and not [n for n in ops_a.keys() | ops_b.keys()
                              if ops_a.get(n) != ops_b.get(n) and n not in reordered]
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "generated-order"
    assert [p for p in top.places if p in ops_a] == reordered
    assert any("bytes of strings" in ev.label for ev in top.evidence)
    for ev in top.evidence:
        if "bytes of strings" in ev.label:
            assert sorted(ev.a or "") == sorted(ev.b or "")
            # the reordered strings are the generated table's keys (the source the test wrote)
            assert set(re.findall("|".join(SMALL_KEYS), ev.a or "")), ev.a


def test_embed_bytes(extra_pair: Callable) -> None:
    a, b = extra_pair("embed_bytes")
    want_a = (TESTDATA / "embed" / "data.txt").read_bytes()
    want_b = dict(EXTRA["embed_bytes"][1].edits)["data.txt"].encode()
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "embedded-content" and top.places == ["main.data"]
    assert (top.evidence[0].a, top.evidence[0].b) == (digest(want_a), digest(want_b))
    assert nm_kinds(a)["main.data"] == "D"


# ------------------------------------------------------------------------------------ code


def test_source_change(gopair: Callable) -> None:
    a, b = gopair("source_change")
    edit = PAIRS["source_change"][1].edits[0][1]
    assert "return a*b + 1" in edit  # the fixture edits main.Mul
    ops_a, _ = objdump(a)
    ops_b, _ = objdump(b)
    changed = sorted(n for n in ops_a.keys() | ops_b.keys() if ops_a.get(n) != ops_b.get(n))
    assert changed == ["main.Mul"]
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "source-change"
    assert top.places == ["main.Mul"]
    assert top.evidence[0].label == "func main.Mul"
    assert "inc" in top.evidence[0].b and "inc" not in top.evidence[0].a  # INCQ only in B
    assert "INCQ" in ops_b["main.Mul"] and "INCQ" not in ops_a["main.Mul"]
    assert any(c.cause == "layout-shift" for c in rep.causes)  # and the address shift it caused


# ------------------------------------------------------------------------------------ C code


def test_cgo_cflags(gopair: Callable) -> None:
    a, b = gopair("cgo_cflags")
    ops_a, files_a = objdump(a)
    ops_b, files_b = objdump(b)
    go_funcs = {n for n, f in {**files_a, **files_b}.items() if f.endswith((".go", ".s"))}
    differing = {n for n in ops_a.keys() | ops_b.keys() if ops_a.get(n) != ops_b.get(n)}
    assert not differing & go_funcs  # only C code differs
    c_diff = differing - go_funcs
    assert c_diff
    rep = diff(a, b)
    top = top_root(rep)
    assert top.cause == "cgo-flags"
    assert set(top.places) <= c_diff
    count = int(re.search(r"\((\d+) C function", top.summary).group(1))  # type: ignore[union-attr]
    assert count == len(c_diff)
    assert "The Go code is the same" in top.summary
    assert any(e.label == "CGO_CFLAGS" and "not recorded" in (e.a or "") for e in top.evidence)


def test_directories_and_empty_files_of_an_embed_fs_are_the_same() -> None:
    """A directory entry stores no data (address 0, length 0): a PIE build reads address 0 as the
    file's first bytes (b""), another as nothing (None), and Debian's micro (go1.19 vs go1.24, one
    of them PIE) listed its four directories as changed."""
    from godet.explain.detectors.content.embed import _same
    from godet.read.embed import EmbedFile

    d = EmbedFile("help/", 0x4000, 48, 0, 0, bytes(16))
    assert _same(d, d, b"", None)
    f = EmbedFile("help/a.md", 0x4030, 48, 0x1000, 3, bytes(16))
    assert not _same(f, f, b"abc", b"abd") and _same(f, f, b"abc", b"abc")


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=700), st.data())
def test_string_around_is_the_printable_run(raw, data):
    """string_around: the printable run holding [start, end) (at most MAX_STRING each side), as a
    byte-by-byte scan finds it."""
    from types import SimpleNamespace

    from godet.explain.detectors.content.common import MAX_STRING, printable, string_around

    start = data.draw(st.integers(0, len(raw) - 1))
    end = data.draw(st.integers(start, len(raw)))
    image = SimpleNamespace(data=raw, size=len(raw), section_at=lambda _off: None)
    s = start
    while s > max(0, start - MAX_STRING) and printable(raw[s - 1]):
        s -= 1
    e = end
    while e < min(len(raw), end + MAX_STRING) and printable(raw[e]):
        e += 1
    assert string_around(SimpleNamespace(image=image), start, end) == (s, e)
