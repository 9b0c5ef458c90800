"""Hostile and broken inputs named in the robustness issue: each ends with a report or with
``godet: PATH: problem`` and exit 2, within the time and memory bounds, and godet never writes to,
follows links out of, or executes what it reads."""

from __future__ import annotations

import ast
import hashlib
import os
import struct
import subprocess
from pathlib import Path

import pytest
from robustness_util import (
    TIME_LIMIT,
    assert_clean,
    cli,
    isolated,
    seed_fixture,  # noqa: F401  (the ``seed`` fixture)
    seeds,
    set_field,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "godet"
COMMANDS = ("inspect", "check", "diff")


def _run(cmd: str, path: Path, other: Path) -> subprocess.CompletedProcess[str]:
    if cmd == "diff":
        return cli("diff", str(other), str(path))
    return cli(cmd, str(path))


def _expect_error(p: subprocess.CompletedProcess[str], path: Path, problem: str) -> None:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert f"godet: {path}: " in p.stderr, p.stderr
    assert problem in p.stderr, p.stderr


# --------------------------------------------------------------------------------- not executables


@pytest.mark.parametrize("cmd", COMMANDS)
def test_empty_text_missing_directory(cmd, tmp_path, gobin):
    other = gobin("stripped")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    _expect_error(_run(cmd, empty, other), empty, "empty file")
    text = tmp_path / "notes.txt"
    text.write_text("just some text\n" * 100)
    _expect_error(_run(cmd, text, other), text, "not an executable")
    missing = tmp_path / "missing"
    _expect_error(_run(cmd, missing, other), missing, "no such file")
    d = tmp_path / "dir"
    d.mkdir()
    _expect_error(_run(cmd, d, other), d, "directory")


@pytest.mark.parametrize("cmd", COMMANDS)
def test_fifo_does_not_block(cmd, tmp_path, gobin):
    """Opening a FIFO for reading waits for a writer: godet must refuse it without opening it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    p = _run(cmd, fifo, gobin("stripped"))  # (cli's timeout turns a hang into a failure)
    _expect_error(p, fifo, "named pipe")


def test_unreadable_file(tmp_path, gobin):
    """Permission denied is one line and exit 2. Root reads anything, so as root the check drops to
    nobody; any other user runs it as itself (mode 000 is unreadable to the owner too)."""
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"godet-unreadable-{os.getpid()}"
    base.mkdir(mode=0o755, exist_ok=True)
    os.chmod(base, 0o755)
    target = base / "secret"
    target.write_bytes(gobin("stripped").read_bytes())
    os.chmod(target, 0)
    commands = (["inspect", str(target)], ["check", str(target)], ["diff", str(target), str(target)])
    if os.getuid() != 0:  # mode 000 is unreadable to its (non-root) owner too: run the CLI as we are
        try:
            for cmd in commands:
                p = cli(*cmd)
                assert p.returncode == 2 and p.stderr == f"godet: {target}: permission denied\n", (
                    cmd,
                    p.stderr,
                )
        finally:
            os.chmod(target, 0o644)
            target.unlink()
            base.rmdir()
        return
    # the interpreter lives under /root (0700): everything is imported before the switch to nobody
    from click.testing import CliRunner
    from robustness_util import executor

    from godet.cli import main

    executor.preload()
    CliRunner().invoke(main, ["inspect", str(gobin("stripped"))])
    CliRunner().invoke(main, ["check", str(gobin("stripped"))])
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: become nobody, run the CLI in-process, report (exit code, stderr)
        code = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            outs = []
            for cmd in commands:
                res = CliRunner().invoke(main, cmd)
                outs.append(f"{res.exit_code}\t{res.stderr.strip()}")
            os.write(w, "\n".join(outs).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r) as f:
        lines = f.read().splitlines()
    _, status = os.waitpid(pid, 0)
    os.chmod(target, 0o644)
    target.unlink()
    base.rmdir()
    assert os.WEXITSTATUS(status) == 0, "root could not switch to nobody (65534)"
    assert len(lines) == 3
    for line in lines:
        code, err = line.split("\t", 1)
        assert code == "2" and err == f"godet: {target}: permission denied", line


def test_non_go_elf(gobin):
    true = Path("/bin/true").resolve()
    assert cli("inspect", str(true)).returncode == 0  # a report: not Go, with its container facts
    p = cli("check", str(true))
    _expect_error(p, true, "not a Go executable")
    p = cli("diff", str(gobin("stripped")), str(true))
    assert p.returncode in (1, 2)


def test_java_class_file(tmp_path, gobin):
    """0xcafebabe starts Java class files too: not a corrupt fat Mach-O, not an executable at all."""
    cls = tmp_path / "Hello.class"
    cls.write_bytes(seeds.JAVA_CLASS)
    for cmd in COMMANDS:
        _expect_error(_run(cmd, cls, gobin("stripped")), cls, "Java class file")


# ----------------------------------------------------------------------------- truncated binaries


def _cut_points(data: bytes, n: int) -> list[int]:
    """Cuts inside every header and at spread-out places (each structure ends up cut somewhere)."""
    fixed = [1, 3, 4, 15, 16, 17, 51, 52, 63, 64, 65, 100, 200, 511, 4095, 4096, 4097, 65536]
    step = max(1, len(data) // n)
    return sorted({c for c in fixed + list(range(step // 3, len(data), step)) if 0 < c < len(data)})


@pytest.mark.parametrize(
    "name,points",
    [
        ("stripped", 20),
        ("linux-1.16", 6),
        ("windows_amd64_stripped", 8),
        ("darwin_arm64_stripped", 8),
        ("fat", 6),
    ],
)
def test_truncated_at_many_points(name, points, seed, tmp_path):
    path = seed(name)
    data = path.read_bytes()
    cut = tmp_path / "cut"
    for n in _cut_points(data, points):
        cut.write_bytes(data[:n])
        o = isolated(cut, path)
        assert_clean(o)


# ------------------------------------------------------------------------------------- fat Mach-O


def _fat_variants(fat: bytes) -> dict[str, list]:
    size = len(fat)
    return {
        "slice past the end": [set_field(fat, "fat.arch[1].offset", size + 4096)],
        "slice runs past the end": [set_field(fat, "fat.arch[1].size", lambda v: v + 4096)],
        "huge slice size": [set_field(fat, "fat.arch[0].size", 0xFFFFFFFF)],
        "slice overlapping the fat header": [set_field(fat, "fat.arch[0].offset", 0)],
        "slice inside the header": [set_field(fat, "fat.arch[0].offset", 4)],
        "zero slices": [set_field(fat, "fat.nfat_arch", 0)],
        "more slices than entries": [set_field(fat, "fat.nfat_arch", 20)],
        "too many slices": [set_field(fat, "fat.nfat_arch", 29)],
        "empty slice": [set_field(fat, "fat.arch[1].size", 0)],
    }


def test_fat_slices_pointing_out_of_the_file(seed, tmp_path):
    from robustness_util import mutant

    path = seed("fat")
    fat = path.read_bytes()
    for what, ops in _fat_variants(fat).items():
        m = mutant(path, ops, tmp_path / "fat")
        o = isolated(m, path)
        assert_clean(o)
        p = cli("inspect", str(m))
        if p.returncode == 2:
            assert "fat Mach-O" in p.stderr or "Mach-O" in p.stderr, (what, p.stderr)


# --------------------------------------------------------------------------------- huge files


def _sparse(tmp_path: Path, name: str, head: bytes, size: int = 5 << 30) -> Path:
    p = tmp_path / name
    with open(p, "wb") as f:
        f.write(head)
        f.truncate(size)
    return p


def _elf_claiming(path: Path, size: int) -> bytes:
    """The ELF with its pclntab, buildinfo, symbol table, DWARF and data sections claiming ``size`` bytes."""
    from robustness_util import field

    from godet.read.binary import open_binaries

    data = path.read_bytes()
    with open_binaries(str(path)) as (b,):
        names = [row[0] for row in b.image.header["section_table"]]
    out = bytearray(data)
    for i, name in enumerate(names):
        if name in (
            ".gopclntab",
            ".go.buildinfo",
            ".symtab",
            ".strtab",
            ".debug_info",
            ".noptrdata",
            ".rodata",
            ".note.go.buildid",
        ):
            f = field(data, f"elf.shdr[{i}].sh_size")
            out[f.offset : f.offset + f.width] = size.to_bytes(f.width, "little")
    return bytes(out)


@pytest.mark.parametrize("kind", ["zeros", "go+sparse tail", "non-go+sparse tail", "sections claiming 5 GiB"])
def test_sparse_5gib_file_is_not_read_whole(kind, gobin, tmp_path):
    """``truncate -s 5G``: inspect and check finish within the time bound without reading it whole
    (peak RSS stays far below the file size)."""
    go = gobin("stripped").read_bytes()
    if kind == "sections claiming 5 GiB":
        head = _elf_claiming(gobin("default"), 5 << 30)
    else:
        head = {"zeros": b"", "go+sparse tail": go, "non-go+sparse tail": Path("/bin/true").read_bytes()}[
            kind
        ]
    big = _sparse(tmp_path, "big", head)
    steps = ("inspect",) if kind == "sections claiming 5 GiB" else ("inspect", "check")  # (check: see below)
    o = isolated(big, gobin("stripped"), steps=steps)
    assert_clean(o)
    assert o.elapsed < TIME_LIMIT
    assert o.peak_growth < 1 << 30, f"peak RSS grew {o.peak_growth >> 20} MiB: the file was read whole"


def test_check_of_a_huge_rodata_is_quick(gobin, tmp_path):
    import time

    from godet.check.rules import rodata_timestamps
    from godet.read.binary import open_binaries

    big = _sparse(tmp_path, "big", _elf_claiming(gobin("default"), 5 << 30))
    with open_binaries(str(big)) as (b,):
        t = time.monotonic()
        rodata_timestamps(b)
        took = time.monotonic() - t
    assert took < 2, f"the timestamp scan of .rodata took {took:.1f} s"


def test_sparse_5gib_diff_is_not_read_whole(gobin, tmp_path):
    """A Go binary extended to 5 GiB by ``truncate`` diffed with the original: its holes are never
    read (string searches skip them, the hash is not computed above 2 GiB)."""
    big = _sparse(tmp_path, "big", gobin("stripped").read_bytes())
    o = isolated(big, gobin("stripped"), steps=("diff",), timeout=60)
    assert_clean(o)
    assert o.peak_growth < 1 << 30, f"peak RSS grew {o.peak_growth >> 20} MiB: the file was read whole"
    assert o.elapsed < TIME_LIMIT


# ------------------------------------------------------------------------------------------ links


def test_symlinks(gobin, tmp_path):
    """inspect follows a symlink named on the command line; check's walk never leaves the tree."""
    exe = gobin("stripped")
    link = tmp_path / "link"
    link.symlink_to(exe)
    p = cli("inspect", "--json", str(link))
    assert p.returncode == 0 and str(link) in p.stdout

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hello").write_bytes(exe.read_bytes())
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "app").write_bytes(exe.read_bytes())
    (tree / "file-out").symlink_to(outside / "hello")
    (tree / "dir-out").symlink_to(outside, target_is_directory=True)
    (tree / "sub" / "loop").symlink_to(tree, target_is_directory=True)
    (tree / "dangling").symlink_to(tmp_path / "nowhere")
    p = cli("check", "--format", "json", str(tree))
    import json

    report = json.loads(p.stdout)
    checked = {r["path"] for r in report["results"]}
    assert checked == {str(tree / "app")}, checked
    assert report["skipped"].get("symlink out of the tree", 0) >= 1


# ------------------------------------------------------------------------------- never write/exec


def test_inputs_are_never_written(gobin, tmp_path):
    a, b = gobin("stripped"), gobin("windows_amd64_stripped")
    stamp = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (a, b)}
    out = tmp_path / "out"
    import json

    p = cli("inspect", "--json", "-o", str(out), str(a), str(b))
    assert p.returncode == 0 and [f["path"] for f in json.loads(out.read_text())] == [str(a), str(b)]
    p = cli("check", "--format", "sarif", "-o", str(out), str(a))
    assert p.returncode == 1 and json.loads(out.read_text())["runs"][0]["results"]  # (a finding: GD102 …)
    p = cli("diff", "--format", "html", "-o", str(out), str(a), str(b))
    assert p.returncode == 1 and out.read_text().startswith("<!DOCTYPE html>")
    for p, st in stamp.items():
        assert (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) == st


FORBIDDEN_CALLS = {
    ("os", n)
    for n in (
        "system",
        "popen",
        "execv",
        "execve",
        "execvp",
        "execl",
        "execlp",
        "spawnv",
        "spawnl",
        "posix_spawn",
        "startfile",
        "fork",
    )
}
FORBIDDEN_MODULES = {"subprocess", "ctypes", "pty", "multiprocessing", "lief"}


# godet rebuild's one job is to run the Go toolchain (in private copies): only it may start programs.
ALLOWED = {"rebuild": {"subprocess"}}


def test_godet_executes_nothing_and_keeps_lief_off_the_default_path():
    """No module of godet can run a program (but rebuild, the go command), load native code by hand,
    or parse with lief."""
    for py in SRC.rglob("*.py"):
        allowed = ALLOWED.get(py.relative_to(SRC).parts[0], set())
        tree = ast.parse(py.read_text(), str(py))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                names = []
            bad = FORBIDDEN_MODULES.intersection(names) - allowed
            assert not bad, f"{py.relative_to(SRC)}:{node.lineno} imports {bad}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in FORBIDDEN_CALLS, (
                    f"{py}:{node.lineno} uses os.{node.attr}"
                )
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("exec", "eval", "__import__"), f"{py}:{node.lineno}"


def test_files_are_opened_read_only():
    """The mapping is ACCESS_READ on an O_RDONLY descriptor: the OS itself forbids writing."""
    from godet.read.image import MappedFile

    m = MappedFile("/bin/true")
    try:
        with pytest.raises(TypeError):
            m.data[0:1] = b"x"
    finally:
        m.close()


def test_pe_header_fields(seed, tmp_path):
    """A few PE corruptions the fuzzer reaches rarely: e_lfanew out of the file, absurd counts."""
    from robustness_util import mutant

    path = seed("windows_amd64_stripped")
    data = path.read_bytes()
    for ops in (
        [set_field(data, "pe.e_lfanew", len(data) - 2)],
        [set_field(data, "pe.e_lfanew", 0xFFFFFFF0)],
        [set_field(data, "pe.NumberOfSections", 0xFFFF)],
        [set_field(data, "pe.NumberOfSymbols", 0xFFFFFFFF)],
        [set_field(data, "pe.SizeOfOptionalHeader", 0xFFFF)],
        [set_field(data, "pe.opt.ImportDirectory.size", 0xFFFFFFFF)],
        [set_field(data, "pe.opt.NumberOfRvaAndSizes", 0)],
    ):
        assert_clean(isolated(mutant(path, ops, tmp_path / "pe"), path))


def test_struct_of_fat_header_is_what_lipo_writes(seed):
    """The synthetic fat seed is a valid universal binary: godet reads both slices."""
    from godet import api

    facts = api.inspect(str(seed("fat")))
    assert sorted(f.slice for f in facts) == ["amd64", "arm64"]
    assert all(f.is_go for f in facts)
    assert struct.unpack(">I", seed("fat").read_bytes()[:4])[0] == 0xCAFEBABE


def test_two_identical_5gib_sparse_files_are_compared_without_reading_the_holes(gobin, tmp_path):
    """The first check of diff (are the files equal?) reads only where either file holds data."""
    head = gobin("stripped").read_bytes()
    a = _sparse(tmp_path, "a", head)
    b = _sparse(tmp_path, "b", head)
    o = isolated(a, b, steps=("diff",), timeout=60)
    assert_clean(o)
    assert o.peak_growth < 1 << 30, f"peak RSS grew {o.peak_growth >> 20} MiB: the files were read whole"
    assert o.elapsed < TIME_LIMIT
    p = cli("diff", str(a), str(b))
    assert p.returncode == 0 and "IDENTICAL" in p.stdout
