"""godet.compare.code: normalised disassembly tells moved functions from changed ones.

Oracle: ``go tool objdump`` of the same binaries. Its opcode column (ADDQ, RET, BL, ...) does not
depend on addresses, so two versions of a function hold the same instructions exactly when their
opcode sequences are equal; godet's verdicts must agree with that on every architecture it
disassembles, and name the function the fixture edited as the only one that changed.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import capstone
import numpy as np
import pytest

import gobuild
import oracles
from conftest import LINUX_386, PAIRS, _cross, _replace_once
from gobuild import BuildSpec
from godet.compare import code
from godet.compare.layout import compare
from godet.explain.detectors.base import DiffContext
from godet.explain.detectors.content import cgo, common
from godet.explain.report import Residual
from godet.read.binary import open_binaries

GROW = _replace_once(
    "multi", "calc.go", "return a + b", "if a > 100 { return a*b - a/b + b%a }\n\treturn a + b"
)
T = ("-trimpath",)


def _grow(env: tuple[tuple[str, str], ...]) -> tuple[BuildSpec, BuildSpec]:
    """multi with main.Add made longer: every later function moves; only main.Add changes."""
    return BuildSpec("multi", flags=T, env=env), BuildSpec("multi", flags=T, env=env, edits=GROW)


#: extra pairs (built and cached like the conftest ones): one edited function, per architecture
GROW_PAIRS: dict[str, tuple[BuildSpec, BuildSpec]] = {
    "amd64": _grow(()),
    "arm64": _grow(_cross("linux", "arm64")),
    "386": _grow(LINUX_386),
    "arm": _grow(_cross("linux", "arm")),
}
#: two -X values of different lengths (arm64): read-only data moves, the code does not change
X_LEN_ARM64 = (
    BuildSpec("xvars", flags=(*T, "-ldflags=-X main.version=1.2.3"), env=_cross("linux", "arm64")),
    BuildSpec(
        "xvars",
        flags=(*T, "-ldflags=-X main.version=1.2.30-rc1-a-longer-value-moves-data"),
        env=_cross("linux", "arm64"),
    ),
)
TEXT_LINE = re.compile(r"^TEXT (\S+)\(SB\)")


@cache
def objdump_opcodes(path: Path) -> dict[str, list[str]]:
    """``go tool objdump`` of the whole file as function name -> opcode sequence (oracle)."""
    tc = gobuild.toolchain()
    out = subprocess.run(
        [str(tc.go), "tool", "objdump", str(path)],
        env=gobuild.go_env(tc),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    funcs: dict[str, list[str]] = {}
    current: list[str] | None = None
    arm32 = "\tGOARCH=arm\n" in oracles.go_version_m(path)
    for line in out.splitlines():
        m = TEXT_LINE.match(line)
        if m:
            current = funcs.setdefault(m.group(1), [])
            continue
        cols = [c.strip() for c in line.split("\t") if c.strip()]  # file:line, address, hex, assembly
        if current is None or len(cols) < 4:
            continue
        if arm32 and len(cols[2]) == 8 and int(cols[2], 16) < 0x01000000:
            continue  # a literal-pool word (an address in the low 16 MiB), not an instruction
        current.append(cols[3].split()[0])
    return funcs


@contextmanager
def context(a: Path, b: Path) -> Iterator[DiffContext]:
    with open_binaries(str(a)) as xs, open_binaries(str(b)) as ys:
        yield DiffContext(xs[0], ys[0], compare(xs[0], ys[0]))


@pytest.fixture(scope="session")
def grow_pair(gobuild_available: gobuild.Toolchain) -> Callable[[str], tuple[Path, Path]]:
    return lambda arch: gobuild.build_pair(*GROW_PAIRS[arch])


def _residual(fd) -> Residual:  # type: ignore[no-untyped-def]
    return Residual(
        unit=".text",
        bytes=fd.differing,
        a_range=fd.a_range,
        b_range=fd.b_range,
        section=".text",
        function=fd.name,
    )


def _same_opcodes(a: Path, b: Path, name: str) -> bool:
    return objdump_opcodes(a).get(name) == objdump_opcodes(b).get(name)


def test_source_change_names_only_the_edited_function(gopair: Callable) -> None:
    a, b = gopair("source_change")
    edited = "main.Mul"  # PAIRS["source_change"] edits `return a * b` in calc.go's Mul
    assert any("return a*b + 1" in text for _, text in PAIRS["source_change"][1].edits)
    with context(a, b) as ctx:
        v = code.changed_functions(ctx)
        assert [fd.name for fd, _ in v.changed] == [edited]
        assert not _same_opcodes(a, b, edited)
        for fd in v.shifted:
            assert _same_opcodes(a, b, fd.name), fd.name


@pytest.mark.parametrize("arch", sorted(GROW_PAIRS))
def test_moved_functions_are_told_from_the_changed_one(grow_pair: Callable, arch: str) -> None:
    a, b = grow_pair(arch)
    with context(a, b) as ctx:
        assert ctx.a.image.arch == arch
        v = code.changed_functions(ctx, limit=10_000)
        assert not v.unchecked and v.supported
        assert [fd.name for fd, _ in v.changed] == ["main.Add"]
        assert not _same_opcodes(a, b, "main.Add")
        assert len(v.shifted) > 50  # main.Add grew: the functions after it moved
        for fd in v.shifted:
            assert _same_opcodes(a, b, fd.name), fd.name


def test_arm64_adrp_pages_normalise(gobuild_available: gobuild.Toolchain) -> None:
    """A longer -X string moves read-only data: ADRP/ADD pairs change, the instructions do not."""
    a, b = gobuild.build_pair(*X_LEN_ARM64)
    with context(a, b) as ctx:
        v = code.changed_functions(ctx, limit=10_000)
        assert v.shifted and not v.changed and not v.reordered
        adrp = 0
        for fd in v.shifted:
            assert _same_opcodes(a, b, fd.name), fd.name
            listing = code.disassemble(ctx.a, *fd.a_range)  # type: ignore[misc]
            adrp += sum(i.text.startswith("adrp") for i in listing.insns)  # type: ignore[union-attr]
        assert adrp > 0


def test_same_size_shift_with_path_change(gopair: Callable) -> None:
    a, b = gopair("dirs")
    with context(a, b) as ctx:
        v = code.changed_functions(ctx)
        assert not v.changed
        for fd in v.shifted[:40]:
            assert _same_opcodes(a, b, fd.name), fd.name
            assert code.normalised_equal(ctx, fd.a_range, fd.b_range, "amd64")  # type: ignore[arg-type]


def test_limit_bounds_the_work(gopair: Callable) -> None:
    a, b = gopair("dirs")
    with context(a, b) as ctx:
        total = len(ctx.cmp.functions)
        v = code.changed_functions(ctx, limit=3)
        # at most 3 functions are disassembled; the others are settled by the exact-move test
        # (every changed rel32 equals a known function or section move) or left unchecked
        assert v.disassembled <= 3
        assert v.checked + len(v.unchecked) == total
        # with paths of different lengths every changed displacement is a known move
        assert len(v.shifted) == total and not v.changed


def test_residual_of_changed_function(gopair: Callable) -> None:
    a, b = gopair("source_change")
    assert "INCQ" in objdump_opcodes(b)["main.Mul"] and "INCQ" not in objdump_opcodes(a)["main.Mul"]
    with context(a, b) as ctx:
        fd = next(f for f in ctx.cmp.functions if f.name == "main.Mul")
        r = _residual(fd)
        code.disassemble_residual(ctx, r)
        assert r.note == "instructions changed"
        assert any("inc" in y and not x for x, y in r.disassembly)


def test_residual_of_moved_function(grow_pair: Callable) -> None:
    a, b = grow_pair("amd64")
    with context(a, b) as ctx:
        fd = next(f for f in ctx.cmp.functions if f.name == "main.main")
        assert _same_opcodes(a, b, "main.main")
        r = _residual(fd)
        code.disassemble_residual(ctx, r)
        assert r.note == "same instructions, only addresses differ"
        assert r.disassembly and all(x != y for x, y in r.disassembly)
        assert all(x.split()[1] == y.split()[1] for x, y in r.disassembly)  # same mnemonic, other operand


def test_data_residual_is_left_alone(gopair: Callable) -> None:
    a, b = gopair("x_time")
    with context(a, b) as ctx:
        sec = ctx.a.image.section(".rodata")
        r = Residual(
            unit=".rodata",
            bytes=5,
            a_range=(sec.offset, sec.offset + 8),  # type: ignore[union-attr]
            b_range=(sec.offset, sec.offset + 8),
            section=".rodata",
        )  # type: ignore[union-attr]
        code.disassemble_residual(ctx, r)
        assert r.note == "" and r.disassembly == []


def test_unsupported_architecture(gobin: Callable) -> None:
    path = gobin("linux_riscv64")
    assert not code.supported("riscv64")
    with context(path, path) as ctx:
        text = ctx.a.image.section(".text")
        rng = (text.offset, text.offset + 64)  # type: ignore[union-attr]
        assert code.compare_ranges(ctx, rng, rng).verdict == "unsupported"
        assert not code.normalised_equal(ctx, rng, rng, "riscv64")


def test_hello_disassembly_matches_objdump(gobin: Callable) -> None:
    """Instruction count and mnemonics of main.main agree with go tool objdump (amd64)."""
    path = gobin("trimpath")
    want = objdump_opcodes(path)["main.main"]
    with context(path, path) as ctx:
        f = next(f for f in ctx.a.pclntab.funcs if f.name == "main.main")  # type: ignore[union-attr]
        off = ctx.a.image.va_to_offset(f.entry)
        listing = code.disassemble(ctx.a, off, off + f.end - f.entry)  # type: ignore[operator]
        got = [i.text.split()[0] for i in listing.insns]  # type: ignore[union-attr]
        assert len(got) == len([w for w in want if w != "INT"])  # objdump lists the INT 3 padding too
        assert got[-1] in ("jmp", "ret")


@pytest.mark.parametrize("which", ["grow", "x-length"])
def test_arm64_moves_without_disassembly(gobuild_available: gobuild.Toolchain, which: str) -> None:
    """The arm64 word test (compare/arm64moves.py) passes only functions whose instructions are the
    same (go tool objdump's opcodes), and never the edited one."""
    a, b = gobuild.build_pair(*(GROW_PAIRS["arm64"] if which == "grow" else X_LEN_ARM64))
    with context(a, b) as ctx:
        fds = list(ctx.cmp.functions)
        ok = code._arm64_displacements_only(ctx, fds, code._known_moves(ctx))
        passed = [fd.name for fd, o in zip(fds, ok.tolist(), strict=True) if o]
        assert len(passed) > 10
        assert "main.Add" not in passed
        for name in passed:
            assert _same_opcodes(a, b, name), name


def _words(*ws: int) -> np.ndarray:
    return np.array(ws, dtype="<u4")


def test_arm64_words_by_form() -> None:
    """Hand-encoded words, checked against capstone's reading: an operand moves only as a known move
    says, and an ADD that is arithmetic (no ADRP before it) never passes."""
    from godet.compare import arm64moves

    bl_a, bl_b = 0x94000010, 0x94000014  # bl +0x40, bl +0x50
    adrp_a, adrp_b = 0x90000000 | (1 << 29), 0x90000000 | (2 << 29)  # adrp x0, +1 page / +2 pages
    add = 0x91004000  # add x0, x0, #0x10
    add2 = 0x91008000  # add x0, x0, #0x20
    cs = capstone.Cs(capstone.CS_ARCH_ARM64, capstone.CS_MODE_ARM)
    read = [(i.mnemonic, i.op_str) for i in cs.disasm(_words(bl_a, adrp_a, adrp_b, add, add2).tobytes(), 0)]
    assert read == [
        ("bl", "#0x40"),
        ("adrp", "x0, #0x1000"),
        ("adrp", "x0, #0x2000"),
        ("add", "x0, x0, #0x10"),
        ("add", "x0, x0, #0x20"),
    ]
    pc = np.array([0x1000, 0x1004, 0x1008], dtype=np.int64)
    last = np.array([False, False, True])
    moves = np.array([0x10, 0x1000], dtype=np.int64)
    ok = arm64moves.moved_only(_words(bl_a, adrp_a, add), _words(bl_b, adrp_b, add), pc, pc, last, moves)
    assert ok.tolist() == [True, True, True]  # bl target +0x10, the ADRP+ADD address +0x1000
    ok = arm64moves.moved_only(_words(bl_a, adrp_a, add), _words(bl_b, adrp_b, add), pc, pc, last, moves[:1])
    assert ok.tolist() == [True, False, True]  # +0x1000 is no known move (the ADD is equal anyway)
    nop = 0xD503201F
    ok = arm64moves.moved_only(_words(nop, nop, add), _words(nop, nop, add2), pc, pc, last, moves)
    assert ok.tolist() == [True, True, False]  # x0 + 0x10 vs x0 + 0x20 after no ADRP: arithmetic


def _insns(raw: bytes) -> list[code.Insn]:
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    out = []
    for i in md.disasm(raw, 0x1000):
        text = f"{i.mnemonic} {i.op_str}".strip()
        out.append(code.Insn(i.address, i.size, text, text))
    return out


# push rbx; mov rbx, rdi; call [rax+0x30]; mov rax, rbx; pop rbx; ret (a C function of hugo's libsass)
_BODY = bytes.fromhex("53 4889fb ff5030 4889d8 5b c3")
_NOP3, _NOP10 = bytes.fromhex("0f1f00"), bytes.fromhex("662e0f1f840000000000")


def test_other_alignment_padding_is_no_code_change() -> None:
    """C code after Go code that grew by a non-multiple of its alignment: the compiler's padding
    before each function differs (one 3-byte nop against two 10-byte ones), the instructions do not."""
    a = _insns(_NOP3 + _BODY + _NOP3 + _BODY)
    b = _insns(_NOP10 + _NOP10 + _BODY + _NOP10 + _BODY)
    assert [i.text for i in a] != [i.text for i in b]
    assert code._alike_but_padding(a, b, cut=False)
    changed = _insns(
        _NOP10 + _BODY.replace(bytes.fromhex("ff5030"), bytes.fromhex("ff5038")) + _NOP10 + _BODY
    )
    assert not code._alike_but_padding(a, changed, cut=False)
    # listings cut at a byte budget end unevenly: compared as far as both go
    long_a, long_b = _insns((_NOP3 + _BODY) * 40), _insns((_NOP10 + _BODY) * 39 + _NOP10)
    assert code._alike_but_padding(long_a, long_b, cut=True)
    assert not code._alike_but_padding(long_a, long_b, cut=False)


def _relocation_pair(*names: str) -> tuple[Path, Path]:
    from matrix import factors

    return gobuild.build_pair(*factors.pair_specs(tuple(sorted(names))))


@pytest.mark.parametrize("factors_", [("pie",), ("linkmode-external",), ("linkmode-external", "pie")])
def test_code_differs_only_as_the_relocation_model_and_linker_make_it(
    gobuild_available: gobuild.Toolchain, factors_: tuple[str, ...]
) -> None:
    """-buildmode=pie against exe, the external linker against Go's: under PIE the oracle's opcodes
    differ in many functions (the thread's g reached through a register, other branch offsets), the
    external linker names other data; yet no function both builds hold differs in the relocation
    view; an edited function (main.mix
    multiplies by 37, not 31) still does. The external linker is told by the C runtime's .init
    section; go version -m records the -ldflags that asked for it."""
    a, b = _relocation_pair(*factors_)
    ops_a, ops_b = objdump_opcodes(a), objdump_opcodes(b)
    differ = [n for n, ops in ops_a.items() if n in ops_b and ops != ops_b[n]]
    if "pie" in factors_:  # PIE changes instructions (the oracle says so); the linker only addresses
        assert len(differ) > 10, differ
    with context(a, b) as ctx:
        external = "-linkmode=external" in oracles.go_version_m(b)
        assert common.externally_linked(ctx.b) is external and common.externally_linked(ctx.a) is False
        v = code.changed_functions(ctx, 5000)
        assert len(v.changed) > 10 and not v.unchecked
        assert [
            fd.name for fd, _ in code.beyond_relocation(ctx, v.changed) if fd.a_range and fd.b_range
        ] == []
    a2, b2 = _relocation_pair("func-body", *factors_)
    assert objdump_opcodes(a2)["main.mix"] != objdump_opcodes(b2)["main.mix"]
    with context(a2, b2) as ctx:
        v = code.changed_functions(ctx, 5000)
        left = code.beyond_relocation(ctx, v.changed)
        assert [fd.name for fd, _ in left if fd.a_range and fd.b_range] == ["main.mix"]


def _objdump_c(path: Path, symbol: str) -> list[str]:
    """binutils ``objdump -d`` of one symbol, instructions only (AT&T syntax, no addresses)."""
    out = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", f"--disassemble={symbol}", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    ).stdout
    return [line.split("\t", 1)[1] for line in out.splitlines() if re.match(r"^ +[0-9a-f]+:\t", line)]


def test_c_code_differs_only_as_the_relocation_model_makes_it(gobuild_available: gobuild.Toolchain) -> None:
    """cgo's C beside -buildmode=pie: position-dependent C sets an address as an immediate
    (binutils objdump: runtime/cgo's x_cgo_init ``mov $0x…,%rax``) where the PIE loads it relative
    to the instruction (``lea …(%rip),%rax``). Every C function both builds hold is alike through
    the relocation view, but cpart_value, whose constant the edited C source changed."""
    a, b = _relocation_pair("c-source", "pie")
    init_a, init_b = _objdump_c(a, "x_cgo_init"), _objdump_c(b, "x_cgo_init")
    assert any(re.match(r"mov +\$0x[0-9a-f]{5,},%r", x) for x in init_a)
    assert not any(re.match(r"mov +\$0x[0-9a-f]{5,},%r", x) for x in init_b)
    value = [re.findall(r"\$(0x[0-9a-f]+)", " ".join(_objdump_c(p, "cpart_value"))) for p in (a, b)]
    assert value == [["0x1092"], ["0x10f7"]]  # CPART_VALUE 4242 and 4343
    with context(a, b) as ctx:
        ca, cb = cgo._c_functions(ctx.a), cgo._c_functions(ctx.b)
        both = [n for n in ca if n in cb]
        assert "x_cgo_init" in both and len(both) > 20
        differ = [
            n
            for n in both
            if not code.relocated_alike(ctx, cgo._sym_range(ctx.a, ca[n]), cgo._sym_range(ctx.b, cb[n]))
        ]
        assert differ == ["cpart_value"]


_NUMBER = re.compile(r"-?0x[0-9a-f]+|\b\d+\b")


def _rip_target(addr: int, raw: bytes, asm: str) -> int | None:
    """The address a ``LEAQ/MOVQ disp(IP)`` instruction reads (disp from the end of the instruction)."""
    m = re.search(r"(-?0x[0-9a-f]+)\(IP\)", asm)
    return addr + len(raw) + int(m.group(1), 16) if m else None


def test_read_only_data_in_another_section_is_the_same_target(gobuild_available: gobuild.Toolchain) -> None:
    """-buildmode=pie moves the read-only data that holds pointers (type descriptors, func values,
    jump tables) to .data.rel.ro*, where an executable keeps it in .rodata, .go.type and .go.func:
    code that loads such an object is the same code. Oracles: readelf for the sections, go tool nm
    for [runtime.types, runtime.etypes), go tool objdump for code that differs only in numbers."""
    pie_flags = (*T, "-buildmode=pie")
    exe, pie = gobuild.build_pair(BuildSpec("multi", flags=T), BuildSpec("multi", flags=pie_flags))
    spans = []
    for p in (exe, pie):
        syms = {n: a for a, _k, n in oracles.go_tool_nm(p)}
        lo, hi = syms["runtime.types"], syms["runtime.etypes"]
        (sec,) = [s[0] for s in oracles.readelf_sections(p) if s[0] and s[2] <= lo < s[2] + s[4]]
        spans.append((lo, hi, sec))
    assert spans[0][2] != spans[1][2]  # (.go.type vs .data.rel.ro.go.type)

    def listing(p: Path, span: tuple[int, int, str]) -> dict[str, tuple[list[str], bool]]:
        """function -> (its assembly with numbers masked, whether it loads a type descriptor)"""
        out: dict[str, tuple[list[str], bool]] = {}
        for _file, _line, addr, raw, asm in oracles.go_tool_objdump(p):
            name = _function_at(p, addr)
            masked, loads = out.setdefault(name, ([], False))
            target = _rip_target(addr, raw, asm)
            loads = loads or (target is not None and span[0] <= target < span[1])
            out[name] = ([*masked, _NUMBER.sub("N", asm)], loads)
        return out

    la, lb = listing(exe, spans[0]), listing(pie, spans[1])
    alike = [n for n in la if n in lb and la[n][1] and lb[n][1] and la[n][0] == lb[n][0]]
    assert len(alike) >= 20
    with context(exe, pie) as ctx:
        tab_a, tab_b = ctx.a.pclntab, ctx.b.pclntab
        changed = []
        for name in alike:
            ia, ib = tab_a.index_of(name), tab_b.index_of(name)  # type: ignore[union-attr]
            if ia is None or ib is None:
                continue
            ra = _file_range(ctx.a, int(tab_a.entries[ia]), int(tab_a.ends[ia]))  # type: ignore[union-attr]
            rb = _file_range(ctx.b, int(tab_b.entries[ib]), int(tab_b.ends[ib]))  # type: ignore[union-attr]
            if code.compare_ranges(ctx, ra, rb).verdict not in ("same", "shifted"):
                changed.append(name)
        assert not changed, changed[:5]


@cache
def _starts(p: Path) -> tuple[list[int], list[str]]:
    rows = sorted((a, n) for a, k, n in oracles.go_tool_nm(p) if k in "Tt")
    return [a for a, _ in rows], [n for _, n in rows]


def _function_at(p: Path, addr: int) -> str:
    starts, names = _starts(p)
    i = int(np.searchsorted(starts, addr, side="right")) - 1
    return names[i] if i >= 0 else ""


def _file_range(binary, lo: int, hi: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    off = binary.image.va_to_offset(lo)
    return off, off + hi - lo


_GO_IMMEDIATE = re.compile(r"\$(-?0x[0-9a-f]+|-?\d+)")


@pytest.mark.parametrize("pair", ["grow", "func-body"])
def test_own_constants_are_go_tool_objdumps_immediates(gobuild_available: object, pair: str) -> None:
    """own_constants of functions that inline nothing: the $immediates go tool objdump shows in their
    instructions (small ones, not stack adjustments); a multiplication by 31 reads as a shift by 5,
    one by 37 as LEAs with no immediate at all."""
    from matrix import factors

    paths = GROW_PAIRS["amd64"] if pair == "grow" else factors.pair_specs(("func-body",))
    for p in gobuild.build_pair(*paths):
        with open_binaries(str(p)) as (b,):
            tab = b.pclntab
            names = [n for n in ("main.Add", "main.mix", "main.Sub") if tab.index_of(n) is not None]
            assert names
            for name in names:
                i = tab.index_of(name)
                assert not tab.inlined_ranges(i)  # (objdump cannot tell inlined code apart)
                want = set()
                for row in oracles.go_tool_objdump(p, f"^{re.escape(name)}$"):
                    asm = row[4]
                    if asm.split()[0].startswith(("J", "CALL")) or asm.endswith(("SP", "BP")):
                        continue
                    values = (int(m, 0) for m in _GO_IMMEDIATE.findall(asm))
                    want |= {v for v in values if 0 <= v < code.MAX_CONSTANT}
                assert code.own_constants(b, i) == want, name
