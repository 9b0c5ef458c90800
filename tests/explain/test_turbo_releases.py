"""turbo 1.6.1 -> 1.6.2 from npm (go1.18, cgo, built for darwin and windows by goreleaser):
what each platform's linker records, read from the files themselves.

A Mach-O built with the external linker records the build environment in LC_BUILD_VERSION: the
SDK, the minimum macOS version and the linker's version. When the C code differs, that record
names the C toolchain, which the summary said was "not recorded here" (turbo-darwin-64: 433 C
functions of DataDog/zstd, one module version, SDK 12.1 / ld 711 against SDK 12.3 / ld 819.6).
Oracles: lief (load commands, sections, export table), ``go version -m``.
"""

from __future__ import annotations

import lief

import gobuild
from godet.api import diff
from oracles import go_version_m_json


def _text(v: list[int]) -> str:
    return f"{v[0]}.{v[1]}" + (f".{v[2]}" if v[2] else "")


def test_c_toolchain_named_by_lc_build_version(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    a, b = (gobuild.npm_binary("turbo-darwin-64", v, ("turbo",)) for v in ("1.6.1", "1.6.2"))
    deps = [{d["Path"]: d for d in go_version_m_json(p)["Deps"]} for p in (a, b)]
    zstd = [d["github.com/DataDog/zstd"] for d in deps]
    assert zstd[0] == zstd[1]  # the C sources of the module are the same
    sdks = []
    for p in (a, b):
        m = lief.parse(str(p))
        (bv,) = [c for c in m.commands if isinstance(c, lief.MachO.BuildVersion)]
        sdks.append(_text(list(bv.sdk)))
    assert sdks[0] != sdks[1]
    rep = diff(str(a), str(b))
    (c,) = [f for f in rep.roots if f.cause == "c-toolchain"]
    ev = {e.label: (e.a, e.b) for e in c.evidence}
    assert ev["SDK (LC_BUILD_VERSION)"] == tuple(sdks)
    assert "not recorded" not in c.summary and f"SDK {sdks[0]} vs {sdks[1]}" in c.summary


def test_funcdata_in_another_order_is_not_a_generated_table(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """turbo 1.6.1 -> 1.6.2 on darwin/arm64: besides the changed source, four entries of go:func.*
    (funcdata the compiler writes with the code) lie in another order; that was a generated-order
    root. The source's VCS revisions differ (go version -m): the code, and its funcdata, changed."""
    a, b = (gobuild.npm_binary("turbo-darwin-arm64", v, ("turbo",)) for v in ("1.6.1", "1.6.2"))
    revs = [
        {s["Key"]: s["Value"] for s in go_version_m_json(p)["Settings"]}["vcs.revision"] for p in (a, b)
    ]
    assert revs[0] != revs[1]
    rep = diff(str(a), str(b))
    assert "generated-order" not in {f.cause for f in rep.causes}
    assert {"source-change", "vcs-revision"} <= {f.cause for f in rep.roots}


def test_ld64_of_another_xcode_holds_its_stubs_and_fixups(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """The same pair: ld64 711 wrote dyld info opcodes, lazy pointers and a stub helper; ld64 819
    chained fixups (which encode each rebased pointer in data) and no stub helper (lief lists the
    load commands and sections). Those bytes are the linker's, not unexplained (8,676 were)."""
    a, b = (gobuild.npm_binary("turbo-darwin-arm64", v, ("turbo",)) for v in ("1.6.1", "1.6.2"))
    ma, mb = lief.parse(str(a)), lief.parse(str(b))
    kinds = [{c.command.name for c in m.commands} for m in (ma, mb)]
    assert "DYLD_INFO_ONLY" in kinds[0] and "DYLD_CHAINED_FIXUPS" in kinds[1]
    helpers = [{s.name for s in m.sections} for m in (ma, mb)]
    assert "__stub_helper" in helpers[0] and "__stub_helper" not in helpers[1]
    rep = diff(str(a), str(b))
    (c,) = [f for f in rep.roots if f.cause == "c-toolchain"]
    assert {e.label: (e.a, e.b) for e in c.evidence}["dyld fixups"] == ("opcodes", "chained")
    # (and __TEXT,__const: C constants only C objects bring, which the C code's cause holds)
    linker = ("__TEXT,__stub", "__DATA,__la_symbol_ptr", "__DATA_CONST,__got", "__DATA,__noptrdata")
    linker += ("__TEXT,__const",)
    assert not [r for r in rep.unexplained if r.section.startswith(linker)], rep.unexplained


def test_export_directory_stamp_is_the_pe_timestamp(gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """turbo-windows-64: the external linker stamps the export directory with the link time too
    (lief: the header's and the export table's timestamps agree per file); those 3 bytes were
    unexplained beside the header's."""
    a, b = (gobuild.npm_binary("turbo-windows-64", v, ("turbo.exe",)) for v in ("1.6.1", "1.6.2"))
    stamps = []
    for p in (a, b):
        pe = lief.parse(str(p))
        stamps.append(pe.header.time_date_stamps)
        assert pe.get_export().timestamp == pe.header.time_date_stamps
    assert stamps[0] != stamps[1]
    rep = diff(str(a), str(b))
    (t,) = [f for f in rep.roots if f.cause == "pe-timestamp"]
    assert {e.label: (e.a, e.b) for e in t.evidence}["TimeDateStamp"] == tuple(map(str, stamps))
    assert not [r for r in rep.unexplained if r.section == ".edata"], rep.unexplained
    # Go 1.18 names the build ID at the start of .text go.buildid (go:buildid since 1.19): no function
    (src,) = [f for f in rep.roots if f.cause == "source-change"]
    assert "go.buildid" not in src.places and "go.buildid" not in src.summary
