"""One test per defect the fuzzer (or the issue's list of hostile inputs) found, each with its
minimised input, generated from a fixture by structural mutations (fuzz/landmarks.py names).

Defects in code owned elsewhere are ``xfail(strict=True)`` with the fix in the reason; the hostile
inputs of the issue's list live in test_inputs.py.
"""

from __future__ import annotations

import pytest
from robustness_util import (
    TIME_LIMIT,
    assert_clean,
    cli,
    isolated,
    mutant,
    region,
    seed_fixture,  # noqa: F401  (the ``seed`` fixture)
    set_field,
)

# ------------------------------------------------------------------- found by the long run (before)


@pytest.mark.parametrize(
    "name,ops",
    [
        # darwin-1.16 with its __text section moved to offset 0: every function "changed"
        ("darwin-1.16", lambda d: [set_field(d, "macho.sect[__text].offset", 0)]),
        # windows-1.16 with 5017 bytes of its headers cut out: everything after shifts
        ("windows-1.16", lambda d: [["delete", 595, 5017]]),
    ],
)
def test_diff_of_shifted_code_is_quick(name, ops, seed, tmp_path):
    """compare/code.py once aligned instructions with difflib (quadratic): 11-26 s. Fixed upstream."""
    path = seed(name)
    m = mutant(path, ops(path.read_bytes()), tmp_path / "m")
    o = isolated(m, path, steps=("diff",), mutant_first=True)
    assert_clean(o, masked_ok=True)
    assert o.elapsed < TIME_LIMIT


def _masked_detectors(o):
    return [f"{d['type']} at {d['where']}: {d['message']}" for d in o.masked if d["step"].startswith("diff:")]


def test_non_utf8_byte_in_modinfo(seed, tmp_path):
    path = seed("default")
    data = path.read_bytes()
    r = region(data, "buildinfo.modinfo")
    m = mutant(path, [["write", r.offset + 505, "cd"]], tmp_path / "m")
    o = isolated(m, path, steps=("diff",))
    assert_clean(o, masked_ok=True)
    assert not _masked_detectors(o), _masked_detectors(o)


def test_non_utf8_byte_in_go_version(seed, tmp_path):
    path = seed("windows_amd64_stripped")
    data = path.read_bytes()
    r = region(data, "buildinfo.version")
    m = mutant(path, [["xor", r.offset + 3, 0xA2]], tmp_path / "m")
    o = isolated(m, path, steps=("diff",), mutant_first=True)
    assert_clean(o, masked_ok=True)
    assert not _masked_detectors(o), _masked_detectors(o)


def test_section_address_near_the_top_of_memory(seed, tmp_path):
    path = seed("darwin_arm64_stripped")
    data = path.read_bytes()
    r = region(data, "macho.section[__go_type]")
    ops = [["xor", r.offset + 27290, 64], set_field(data, "macho.sect[__data].addr", 2**64 - 1)]
    m = mutant(path, ops, tmp_path / "m")
    o = isolated(m, path, steps=("diff",))
    assert_clean(o, masked_ok=True)
    assert not _masked_detectors(o), _masked_detectors(o)


# ------------------------------------------------------------------ found on the input list


def test_output_that_cannot_be_written(gobin, tmp_path):
    """-o into a missing directory was an "internal error" (FileNotFoundError from open)."""
    out = tmp_path / "missing" / "report.json"
    p = cli("inspect", "--json", "-o", str(out), str(gobin("stripped")))
    assert p.returncode == 2
    assert p.stderr.strip() == f"godet: {out}: cannot write the output: No such file or directory"


@pytest.mark.parametrize("cut", [100_000, 1_000_000])
def test_truncated_elf_says_truncated(gobin, tmp_path, cut):
    """pyelftools said "expected 4, found 0"; the message now names the structure and the cause."""
    data = gobin("stripped").read_bytes()
    p = tmp_path / "cut"
    p.write_bytes(data[:cut])
    r = cli("inspect", str(p))
    assert r.returncode == 2
    assert "malformed ELF file" in r.stderr and "truncated?" in r.stderr, r.stderr


def _symbol_value_field(path, name: str) -> tuple[int, int]:
    """(file offset, width) of st_value of symbol ``name`` in the ELF .symtab (pyelftools as the oracle)."""
    from elftools.elf.elffile import ELFFile

    with open(path, "rb") as f:
        ef = ELFFile(f)
        sec = ef.get_section_by_name(".symtab")
        entsize = sec["sh_entsize"]
        for i, sym in enumerate(sec.iter_symbols()):
            if sym.name == name:
                return sec["sh_offset"] + i * entsize + (8 if ef.elfclass == 64 else 4), ef.elfclass // 8
    raise AssertionError(f"no symbol {name}")


def test_runtime_text_symbol_near_the_top_of_memory(seed, tmp_path):
    """A runtime.text symbol at 0x99..: pclntab entries (int64) overflowed when the base was added
    (OverflowError, the pclntab lost). The base must now lie in the code and is added unsigned."""
    from godet import api

    path = seed("pie")
    off, width = _symbol_value_field(path, "runtime.text")
    m = mutant(path, [["int", off, width, False, 0x9918_0000_0000_1000]], tmp_path / "m")
    o = isolated(m, path)
    assert_clean(o, masked_ok=True)
    assert not [d for d in o.masked if not d["step"].startswith("diff:")], o.masked
    (facts,) = api.inspect(str(m))
    assert facts.pclntab is not None and facts.pclntab.text_source != "runtime.text symbol"
    assert facts.pclntab.text_start == api.inspect(str(path))[0].pclntab.text_start


def _text_moved(data: bytes, path, delta: int) -> list:

    from godet.read.binary import open_binaries

    with open_binaries(str(path)) as (b,):
        names = [r[0] for r in b.image.header["section_table"]]
        phdrs = b.image.header["phdrs"]
    text = names.index(".text")
    load = next(i for i, ph in enumerate(phdrs) if ph["type"] == "PT_LOAD")
    return [
        set_field(data, f"elf.shdr[{text}].sh_addr", lambda v: v + delta),
        set_field(data, f"elf.phdr[{load}].p_vaddr", lambda v: v + delta),
    ]


def test_code_moved_to_the_top_half_of_memory(seed, tmp_path):
    path = seed("stripped")
    m = mutant(path, _text_moved(path.read_bytes(), path, 1 << 63), tmp_path / "m")
    o = isolated(m, path, steps=("diff",))
    assert_clean(o, masked_ok=True)
    assert not _masked_detectors(o), _masked_detectors(o)


def test_zeroed_section_header_in_a_load_command(seed, tmp_path):
    from robustness_util import field

    path = seed("darwin_arm64_stripped")
    f = field(path.read_bytes(), "macho.sect[__go_type].size")
    m = mutant(path, [["zero", f.offset + 2, 42]], tmp_path / "m")
    o = isolated(m, path, steps=("diff",))
    assert_clean(o, masked_ok=True)
    assert not _masked_detectors(o), _masked_detectors(o)


def test_deep_diff_of_shifted_code_is_quick(seed, tmp_path):
    """5 500 functions shifted by a header edit: --deep aligns linearly and within its time budget
    (it took ~45 s with difflib's quadratic alignment and no time budget)."""
    path = seed("windows-1.16")
    m = mutant(path, [["delete", 597, 382]], tmp_path / "m")
    o = isolated(m, path, steps=("diff",), mutant_first=True, deep=True)
    assert_clean(o, masked_ok=True)
