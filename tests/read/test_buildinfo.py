"""Buildinfo against the Go toolchain: ``go version -m [-json]`` and Go's own strconv/ParseBuildInfo."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

import gobuild
import oracles
from conftest import FIXTURES, OLD_TOOLCHAIN_BUILDS
from godet.errors import FormatError
from godet.read.binary import open_binaries
from godet.read.buildid import go_unquote
from godet.read.buildinfo import (
    DEBUG_INFO_EXPERIMENTS,
    MAGIC,
    BuildInfo,
    go_quote,
    parse_modinfo,
    read_buildinfo,
)

CATALOG = sorted(FIXTURES)
OLD = sorted([*gobuild.NPM_BINARIES, *OLD_TOOLCHAIN_BUILDS])


def _read(path: Path) -> BuildInfo | None:
    with open_binaries(str(path)) as bins:
        return read_buildinfo(bins[0].image)


@pytest.fixture(params=[f"fixture:{n}" for n in CATALOG] + [f"old:{n}" for n in OLD])
def any_binary(request, gobin, old_go_binary) -> Path:
    kind, name = request.param.split(":", 1)
    return gobin(name) if kind == "fixture" else old_go_binary(name)


def test_go_json_matches_go_version_m_json(any_binary: Path) -> None:
    bi = _read(any_binary)
    assert bi is not None
    assert bi.to_go_json() == oracles.go_version_m_json(any_binary)


def test_go_text_matches_go_version_m(any_binary: Path) -> None:
    bi = _read(any_binary)
    assert bi is not None
    path = str(any_binary.resolve())  # the oracle passes the resolved path
    assert bi.to_go_text(path).splitlines() == oracles.go_version_m(any_binary).splitlines()


def test_format_and_ranges(any_binary: Path) -> None:
    """Pointer format exactly for Go < 1.18; the recorded ranges hold the strings the oracle shows."""
    bi = _read(any_binary)
    assert bi is not None
    want = oracles.go_version_m_json(any_binary)
    minor = int(want["GoVersion"].removeprefix("go").split(".")[1])
    assert bi.format == ("pointer" if minor < 18 else "inline")
    data = any_binary.read_bytes()
    assert data[bi.offset : bi.offset + len(MAGIC)] == MAGIC
    assert bi.offset % 16 == 0
    vo, vl = bi.version_range
    assert data[vo : vo + vl].decode() == want["GoVersion"]
    mo, ml = bi.modinfo_range
    assert data[mo + 16 : mo + ml - 16].decode("utf-8", "surrogateescape") == bi.modinfo
    if bi.format == "inline":
        assert vo == bi.offset + 33 and bi.end == mo + ml


def test_modinfo_is_what_go_wrote(any_binary: Path) -> None:
    """cmd/go stores BuildInfo.String(); re-rendering the parsed text gives it back byte for byte."""
    bi = _read(any_binary)
    assert bi is not None
    assert bi.modinfo_string() == bi.modinfo
    assert bi.other_lines == ()
    assert parse_modinfo(bi.modinfo) == (bi.path, bi.main, bi.deps, bi.settings)


def test_helpers_against_the_oracle(gobin) -> None:
    for name in ("default", "goexperiment", "ldflags_x", "vcs_dirty", "cgo_net"):
        p = gobin(name)
        bi = _read(p)
        want = oracles.go_version_m_json(p)
        assert bi is not None
        for s in want["Settings"]:
            assert bi.setting(s["Key"]) == s.get("Value", "")
        assert bi.setting("no-such-key") is None
        full = want["GoVersion"]
        if name == "goexperiment":
            goexp = bi.setting("GOEXPERIMENT")
            assert goexp and full != bi.base_version
            assert bi.experiments == tuple(goexp.split(","))
            assert full in (f"{bi.base_version}-X:{goexp}", f"{bi.base_version} X:{goexp}")
        else:
            assert bi.base_version == full and bi.experiments == ()
        j = bi.to_json()
        assert {k: j[k] for k in want} == want
        assert j["format"] == "inline" and j["offset"] == bi.offset
        json.dumps(j)


def test_go_binary_of_the_toolchain(gobuild_available) -> None:
    """cmd/go imports debug/buildinfo: its data holds the magic as a literal next to the real blob."""
    go = gobuild_available.go
    bi = _read(go)
    assert bi is not None and bi.to_go_json() == oracles.go_version_m_json(go)


# --------------------------------------------------------------------------------------------
# fallbacks and malformed input


def _zero_section_headers(src: Path, dst: Path) -> Path:
    """A copy of an ELF file with e_shoff/e_shnum/e_shstrndx zeroed (like sstrip)."""
    data = bytearray(src.read_bytes())
    assert data[4] == 2 and data[5] == 1  # ELFCLASS64, little-endian
    struct.pack_into("<Q", data, 0x28, 0)
    struct.pack_into("<HHH", data, 0x3A, 0, 0, 0)
    dst.write_bytes(data)
    return dst


@pytest.mark.parametrize("which", ["default", "extlink", "go-cmd"])
def test_fallback_without_section_headers(which, gobin, gobuild_available, tmp_path) -> None:
    src = gobuild_available.go if which == "go-cmd" else gobin(which)
    copy = _zero_section_headers(src, tmp_path / "nosections")
    t = time.perf_counter()
    bi = _read(copy)
    elapsed = time.perf_counter() - t
    assert bi is not None
    assert bi.to_go_json() == oracles.go_version_m_json(src)
    assert elapsed < 1.0


def test_not_go(tmp_path) -> None:
    exe = shutil.which("ls") or shutil.which("sh")
    assert exe is not None
    assert _read(Path(exe)) is None


def _corrupt(src: Path, dst: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A copy of ``src`` with ``edit(data, buildinfo, image)`` applied to its bytes."""
    data = bytearray(src.read_bytes())
    with open_binaries(str(src)) as bins:
        bi = read_buildinfo(bins[0].image)
        assert bi is not None
        edit(data, bi, bins[0].image)
    dst.write_bytes(data)
    return dst


def _bad_varint(data: bytearray, bi: BuildInfo, image) -> None:  # type: ignore[no-untyped-def]
    data[bi.offset + 32 : bi.offset + 43] = b"\xff" * 11


def _version_past_end(data: bytearray, bi: BuildInfo, image) -> None:  # type: ignore[no-untyped-def]
    data[bi.offset + 32 : bi.offset + 37] = b"\xff\xff\xff\xff\x0f"  # 2**32 - 1 bytes


def _modinfo_past_end(data: bytearray, bi: BuildInfo, image) -> None:  # type: ignore[no-untyped-def]
    pos = bi.version_range[0] + bi.version_range[1]
    data[pos : pos + 4] = b"\xff\xff\xff\x7f"


def _bad_pointer(data: bytearray, bi: BuildInfo, image) -> None:  # type: ignore[no-untyped-def]
    data[bi.offset + 16 : bi.offset + 24] = b"\xf0" * 8


def _bad_string_len(data: bytearray, bi: BuildInfo, image) -> None:  # type: ignore[no-untyped-def]
    """Make the length in the modinfo string header {data, len} that modPtr points at huge."""
    mod_ptr = struct.unpack_from("<Q", data, bi.offset + 24)[0]
    struct.pack_into("<Q", data, image.va_to_offset(mod_ptr) + 8, 1 << 40)


@pytest.mark.parametrize(
    "source,edit",
    [
        ("default", _bad_varint),
        ("default", _version_past_end),
        ("default", _modinfo_past_end),
        ("windows_amd64", _modinfo_past_end),
        ("darwin_arm64", _version_past_end),
        ("old:linux-1.16", _bad_pointer),
        ("old:linux-1.17", _bad_string_len),
    ],
)
def test_corrupt_blob_raises_format_error(source, edit, gobin, old_go_binary, tmp_path) -> None:
    src = old_go_binary(source[4:]) if source.startswith("old:") else gobin(source)
    bad = _corrupt(src, tmp_path / "bad", edit)
    t = time.perf_counter()
    with pytest.raises(FormatError), open_binaries(str(bad)) as bins:
        read_buildinfo(bins[0].image)
    assert time.perf_counter() - t < 1.0
    with open_binaries(str(bad)) as bins:  # the facade turns it into a note
        assert bins[0].buildinfo is None
        assert any("buildinfo" in n for n in bins[0].notes)


def test_truncated_file(gobin, tmp_path) -> None:
    src = gobin("windows_amd64")  # PE: the section table is at the start, so the file still opens
    bi = _read(src)
    assert bi is not None
    cut = tmp_path / "cut"
    data = src.read_bytes()
    cut.write_bytes(data[: bi.modinfo_range[0] + 10])
    with pytest.raises(FormatError), open_binaries(str(cut)) as bins:
        read_buildinfo(bins[0].image)


# --------------------------------------------------------------------------------------------
# quoting and parsing against Go's strconv and runtime/debug

_GO_HELPER = r"""
package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"runtime/debug"
	"strconv"
)

type result struct {
	Quote   []string
	Unquote []*string
	Parse   []json.RawMessage
	String  []*string
}

func main() {
	var in struct{ Quote, Unquote, Parse []string }
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	var out result
	dec := func(s string) string { b, _ := base64.StdEncoding.DecodeString(s); return string(b) }
	enc := func(s string) *string { e := base64.StdEncoding.EncodeToString([]byte(s)); return &e }
	for _, s := range in.Quote {
		out.Quote = append(out.Quote, *enc(strconv.Quote(dec(s))))
	}
	for _, s := range in.Unquote {
		u, err := strconv.Unquote(dec(s))
		if err != nil {
			out.Unquote = append(out.Unquote, nil)
		} else {
			out.Unquote = append(out.Unquote, enc(u))
		}
	}
	for _, s := range in.Parse {
		bi, err := debug.ParseBuildInfo(dec(s))
		if err != nil {
			out.Parse = append(out.Parse, json.RawMessage("null"))
			out.String = append(out.String, nil)
			continue
		}
		j, _ := json.Marshal(bi)
		out.Parse = append(out.Parse, j)
		out.String = append(out.String, enc(bi.String()))
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
"""


@pytest.fixture(scope="session")
def go_helper(gobuild_available, tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("gohelper")
    (d / "main.go").write_text(_GO_HELPER)
    (d / "go.mod").write_text("module gohelper\n\ngo 1.21\n")
    env = gobuild.go_env(gobuild_available, extra={"CGO_ENABLED": "0"})
    subprocess.run([str(gobuild_available.go), "build", "-o", str(d / "helper"), "."],
                   cwd=d, env=env, check=True, capture_output=True)
    return d / "helper"


def _ask_go(helper: Path, quote=(), unquote=(), parse=()) -> dict:  # type: ignore[no-untyped-def]
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    req = {"Quote": [b64(x) for x in quote], "Unquote": [b64(x) for x in unquote],
           "Parse": [b64(x) for x in parse]}
    proc = subprocess.run([str(helper)], input=json.dumps(req).encode(), capture_output=True, check=True)
    return json.loads(proc.stdout)


QUOTE_CASES = [
    b"", b"plain", b"a b", b"tab\there", b'say "hi"', b"back`tick", b"back\\slash", b"nl\ncr\r",
    b"\x00\x01\x1b\x7f", b"\x07\x08\x0c\x0b", "é日本".encode(), "\u00a0nbsp".encode(),
    "soft\u00adhyphen".encode(),
    "zw\u200bsp".encode(), "line\u2028sep".encode(), "emoji\U0001f600".encode(), "tag\U000e0001".encode(),
    "\ufffd".encode(), b"\xff", b"bad \xe2\x82 utf8", b"\xc0\xaf", b"\xed\xa0\x80", b"-X 'main.v=a b'",
    "priv\ue000".encode(), b"\x80\x80",
]

UNQUOTE_CASES = [
    b'""', b'"a\\tb"', b'"\\x41\\101\\u00e9\\U0001F600"', b'"\\\'"', b"'a'", b"'ab'", b"''", b"`raw\r`",
    b"`a`b`", b'"a', b'"\\q"', b'"\\400"', b'"\\377"', b'"\\ud800"', b'"\\U00110000"', b'"a"b"',
    b'"\\xff"', '"é"'.encode(), b'"\xff"', b'"\xff\\n"', b'"\\"', b'"\\\\"', b'"a\nb"', b"'\\''",
    b"'\\\"'", b'"\\a\\b\\f\\n\\r\\t\\v"', b'"\\x4"', b"x", b'"', b"'\xe2\x82\xac'", b"'\xff'",
]


def test_go_quote_matches_strconv_quote(go_helper) -> None:
    got = _ask_go(go_helper, quote=QUOTE_CASES)["Quote"]
    for raw, want in zip(QUOTE_CASES, got, strict=True):
        mine = go_quote(raw.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        assert mine == base64.b64decode(want), raw


def test_go_unquote_matches_strconv_unquote(go_helper) -> None:
    got = _ask_go(go_helper, unquote=UNQUOTE_CASES)["Unquote"]
    for lit, want in zip(UNQUOTE_CASES, got, strict=True):
        if want is None:
            with pytest.raises(ValueError):
                go_unquote(lit)
        else:
            assert go_unquote(lit) == base64.b64decode(want), lit


def test_quote_round_trips_through_unquote() -> None:
    for raw in QUOTE_CASES:
        s = raw.decode("utf-8", "surrogateescape")
        assert go_unquote(go_quote(s).encode("utf-8", "surrogateescape")) == raw


MODINFO_CASES = [
    "path\tex.com/a\nmod\tex.com/a\t(devel)\t\nbuild\t-buildmode=exe\n",
    "path\tex.com/a\nmod\tex.com/a\tv1.0.0\th1:abc=\ndep\tex.com/b\tv1.2.3\th1:x=\n"
    "dep\tex.com/c\tv0.1.0\n=>\t../c\t(devel)\t\nbuild\tk=v\n",
    "mod\tex.com/a\tv1.0.0\n=>\tex.com/fork\tv1.0.1\th1:y=\n",
    'build\t"quoted key"=v\nbuild\tk="a b"\nbuild\tk2=`raw val`\nbuild\t"k\\tx"="\\x00\\u00e9"\n',
    "build\t-ldflags=\"-X main.version=1.2.3 -X 'main.date=2026-11-20T10:00:00Z'\"\nbuild\tempty=\n",
    "unknown\tline\npath\tp\nbuild\tk=v\n",
    "path\tp\nbuild\tk=v",  # last line without newline: dropped
    "build\t=v\n",  # missing key: Go fails
    "build\tk v=1\n",  # unquoted key needing quotes: Go fails
    "build\tk=a b\n",  # unquoted value needing quotes: Go fails
    "build\t\"unterminated=1\n",
    "=>\tx\ty\tz\n",  # replacement without module: Go fails
    "mod\ta\n",  # one column: Go fails
    "",
]


def test_parse_modinfo_matches_parse_build_info(go_helper) -> None:
    res = _ask_go(go_helper, parse=[m.encode() for m in MODINFO_CASES])
    for text, want, want_str in zip(MODINFO_CASES, res["Parse"], res["String"], strict=True):
        path, main, deps, settings = parse_modinfo(text)
        bi = BuildInfo("", path, main, deps, settings, text, "inline", 0, (0, 0), (0, 0))
        if want is None:
            continue  # Go rejects the text; godet keeps what it can (no exception is the contract)
        assert bi.to_go_json() == want, text
        assert bi.modinfo_string() == base64.b64decode(want_str).decode(), text


def test_unknown_lines_are_kept() -> None:
    from godet.read.buildinfo import _parse

    *_, other = _parse("unknown\tline\nbuild\tk=a b\npath\tp\n")
    assert other == ("unknown\tline",)


def _make_fat(thin: list[Path], dst: Path) -> Path:
    """A universal (fat) Mach-O file holding ``thin`` as slices, 16 KiB aligned."""
    blobs = [p.read_bytes() for p in thin]
    out = bytearray(struct.pack(">II", 0xCAFEBABE, len(blobs)))
    offset = 0x4000
    entries, layout = [], []
    for b in blobs:
        cputype, subtype = struct.unpack_from("<II", b, 4)
        entries.append(struct.pack(">IIIII", cputype, subtype, offset, len(b), 14))
        layout.append(offset)
        offset = (offset + len(b) + 0x3FFF) & ~0x3FFF
    out += b"".join(entries)
    for off, b in zip(layout, blobs, strict=True):
        out += b"\0" * (off - len(out)) + b
    dst.write_bytes(out)
    return dst


def test_fat_macho_slices(gobin, tmp_path) -> None:
    thin = [gobin("darwin_amd64"), gobin("darwin_arm64")]
    fat = _make_fat(thin, tmp_path / "fat")
    with open_binaries(str(fat)) as bins:
        got = [read_buildinfo(b.image) for b in bins]
        slice_offsets = [b.image.slice_offset for b in bins]
    assert [g.to_go_json() if g else None for g in got] == [oracles.go_version_m_json(p) for p in thin]
    assert got[0] is not None and got[0].to_go_json() == oracles.go_version_m_json(fat)  # go reads slice 0
    data = fat.read_bytes()
    for g, base in zip(got, slice_offsets, strict=True):
        assert g is not None
        assert data[base + g.offset : base + g.offset + len(MAGIC)] == MAGIC  # offsets are slice-relative


def test_debug_info_experiments_leave_the_code(gobin) -> None:  # type: ignore[no-untyped-def]
    """GOEXPERIMENT=nodwarf5, the experiment DEBUG_INFO_EXPERIMENTS names, writes DWARF 4 and leaves
    the code alone: go tool objdump shows the same instructions (mnemonic and length) in the same
    order in both builds; only address operands differ (the longer version string moved data)."""
    a, b = gobin("default"), gobin("goexperiment")
    ia, ib = _read(a), _read(b)
    assert ia is not None and ib is not None
    assert ia.experiments_differing(ib) == {"dwarf5"} and {"dwarf5"} <= DEBUG_INFO_EXPERIMENTS
    da, db = oracles.go_tool_objdump(a), oracles.go_tool_objdump(b)
    shape = [[(len(raw), asm.split()[0] if asm else "") for *_, raw, asm in d] for d in (da, db)]
    assert len(da) > 10_000 and shape[0] == shape[1]
    assert any(x[3] != y[3] for x, y in zip(da, db, strict=True))  # (some operands did move)
