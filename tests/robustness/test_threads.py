"""The background hasher never outlives its file, and the fuzz executor counts thread exceptions.

``godet diff`` hashes both inputs in threads while it parses; on an error path (two large files
that are not Go) the files used to close while the threads still read them, and the terminal got
``Exception in thread …: OSError: [Errno 9] Bad file descriptor`` after the one-line error.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from robustness_util import cli, executor, isolated


def _large_copy(src: str, dst: Path, size: int = 300 << 20) -> Path:
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.truncate(size)  # sparse: cheap on disk, 300 MB to hash
    return dst


def test_diff_of_two_large_non_go_files_has_a_clean_stderr(tmp_path):
    a = _large_copy("/bin/ls", tmp_path / "ls")
    b = _large_copy("/bin/cat", tmp_path / "cat")
    for _ in range(6):  # (the race showed in 4 runs out of 4 before the fix)
        p = cli("diff", str(a), str(b))
        assert p.returncode == 2
        assert (
            p.stderr
            == f"godet: {a}: not a Go executable (and neither is the other file): nothing to explain\n"
        )


def test_the_hashers_are_joined_before_the_files_close(tmp_path, monkeypatch):
    """In process: after diff_paths raises, no _Hasher thread is alive."""
    import pytest

    from godet.errors import GodetError
    from godet.explain import engine

    a = _large_copy("/bin/ls", tmp_path / "ls", 64 << 20)
    b = _large_copy("/bin/cat", tmp_path / "cat", 64 << 20)
    for _ in range(3):
        with pytest.raises(GodetError):
            engine.diff_paths(str(a), str(b))
        assert not [t for t in threading.enumerate() if isinstance(t, engine._Hasher)]


def test_the_executor_counts_an_exception_in_a_thread(tmp_path, monkeypatch, gobin):
    """A thread that raises inside the child is a defect (kind "thread"), not a line on stderr."""
    from fuzz import target

    def run(mutant, seed, params, step):  # the child (a fork) runs this instead of the real target
        step("inspect")
        t = threading.Thread(target=lambda: 1 / 0)
        t.start()
        t.join()
        return {"defects": [], "masked": [], "errors": []}

    monkeypatch.setattr(target, "run", run)
    exe = str(gobin("stripped"))
    o = isolated(exe, exe, steps=("inspect",))
    kinds = [(d["kind"], d["type"]) for d in o.defects]
    assert kinds == [("thread", "ZeroDivisionError")], o.defects
    assert executor.signature(o.defects[0]).startswith("thread|ZeroDivisionError|")
