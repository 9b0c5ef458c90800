"""Run one input in a forked child: a timeout, an address-space cap, and the child's peak memory.

The parent (which has imported godet once) forks per input; the child runs :func:`fuzz.target.run`
and streams JSON lines back through a pipe: its baseline RSS, each step as it starts, the result.
The parent kills a child that outlives the timeout (a hang, attributed to the step it was in), and
reads the child's peak RSS from ``wait4``: growth over the baseline above ``2 × input size + 200 MB``
is a memory defect. A child that dies of a signal is a native crash. The child installs
``threading.excepthook``: an exception in a background thread is a defect too.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TIMEOUT = 10.0
MEM_SLACK = 200 << 20


def preload() -> None:
    """Import every godet module in the parent, so children start warm and imports are not timed."""
    import importlib
    import pkgutil

    import godet

    for m in pkgutil.walk_packages(godet.__path__, "godet."):
        if m.name.endswith("__main__"):
            continue
        with contextlib.suppress(Exception):  # a module that does not import is the suite's business
            importlib.import_module(m.name)
    with contextlib.suppress(ImportError):
        import capstone  # noqa: F401  (compare/code.py imports it lazily)


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _vmsize() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Running:
    """A child in flight."""

    pid: int
    fd: int
    started: float
    input_bytes: int
    buf: bytes = b""
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to one input."""

    defects: list[dict[str, Any]]
    masked: list[dict[str, Any]]
    errors: list[str]
    elapsed: float
    peak_growth: int  # bytes of RSS above the child's baseline
    input_bytes: int

    @property
    def signatures(self) -> set[str]:
        """Signatures of the defects and of the masked failures."""
        return {signature(d) for d in self.defects} | {signature(d) for d in self.masked}


def signature(d: dict[str, Any]) -> str:
    return f"{d['kind']}|{d.get('type', '')}|{d.get('where', '')}"


def start(mutant: str, seed: str, params: dict[str, Any], workdir: str) -> Running:
    """Fork a child that runs the input; returns at once."""
    input_bytes = os.path.getsize(mutant) + os.path.getsize(seed)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        code = 0
        try:
            import faulthandler

            faulthandler.disable()  # a native crash is reported by the parent, not dumped by the child
            os.chdir(workdir)
            os.setpgid(0, 0)
            limit = _vmsize() + 4 * input_bytes + (1536 << 20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            out = os.fdopen(w, "w", buffering=1)

            def send(obj: dict[str, Any]) -> None:
                out.write(json.dumps(obj) + "\n")

            from fuzz import target

            def thread_failed(args: threading.ExceptHookArgs) -> None:
                # an exception in a thread never reaches target.run: report it as a defect of its own
                import traceback

                tb = args.exc_traceback
                frames = traceback.extract_tb(tb) if tb is not None else []
                where = next(
                    (
                        f"{Path(f.filename).name}:{f.name}"
                        for f in reversed(frames)
                        if "/godet/" in f.filename
                    ),
                    frames[-1].name if frames else "?",
                )
                send(
                    {
                        "thread": {
                            "kind": "thread",
                            "type": getattr(args.exc_type, "__name__", str(args.exc_type)),
                            "where": where,
                            "message": str(args.exc_value)[:500],
                            "traceback": "".join(
                                traceback.format_exception(args.exc_type, args.exc_value, tb)
                            )[-2000:],
                        }
                    }
                )

            threading.excepthook = thread_failed
            send({"baseline": _rss()})
            res = target.run(mutant, seed, params, lambda s: send({"step": s}))
            send({"result": res})
            out.flush()
        except MemoryError:
            with contextlib.suppress(OSError):
                os.write(w, b'{"memoryerror": true}\n')
        except BaseException:  # the harness itself failed: report it, never hide it
            import traceback

            with contextlib.suppress(OSError):
                os.write(w, (json.dumps({"harness": traceback.format_exc()[-2000:]}) + "\n").encode())
            code = 3
        finally:
            os._exit(code)
    os.close(w)
    return Running(pid, r, time.monotonic(), input_bytes)


def _feed(run: Running) -> bool:
    """Read what the child sent; True at EOF."""
    chunk = os.read(run.fd, 1 << 16)
    if not chunk:
        return True
    run.buf += chunk
    *full, run.buf = run.buf.split(b"\n")
    for line in full:
        if line.strip():
            try:
                run.lines.append(json.loads(line))
            except ValueError:
                run.lines.append({"harness": f"unparsable line {line[:200]!r}"})
    return False


def finish(run: Running, timed_out: bool, timeout: float = TIMEOUT) -> Outcome:
    """Reap the child (killing it first on timeout) and judge the input."""
    if timed_out:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError):
                kill(run.pid, signal.SIGKILL)
    _, status, usage = os.wait4(run.pid, 0)
    os.close(run.fd)
    elapsed = time.monotonic() - run.started
    baseline = next((x["baseline"] for x in run.lines if "baseline" in x), 0)
    steps = [x["step"] for x in run.lines if "step" in x]
    result = next((x["result"] for x in run.lines if "result" in x), None)
    peak = usage.ru_maxrss * 1024
    growth = max(0, peak - baseline) if baseline else 0
    defects: list[dict[str, Any]] = []
    last = steps[-1] if steps else "setup"
    if timed_out:
        defects.append({"kind": "hang", "step": last, "type": f">{timeout:g}s", "where": last, "message": ""})
    elif os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        defects.append(
            {
                "kind": "crash",
                "step": last,
                "type": signal.Signals(sig).name,
                "where": last,
                "message": "child killed by a signal (native crash?)",
            }
        )
    if any(x.get("memoryerror") for x in run.lines):
        defects.append(
            {
                "kind": "memory",
                "step": last,
                "type": "MemoryError",
                "where": last,
                "message": "address-space cap reached",
            }
        )
    for x in run.lines:
        if "thread" in x:  # an exception in a background thread (see threading.excepthook above)
            defects.append({**x["thread"], "step": last})
        if "harness" in x:
            defects.append(
                {"kind": "harness", "step": last, "type": "", "where": "harness", "message": x["harness"]}
            )
    if growth > 2 * run.input_bytes + MEM_SLACK:
        defects.append(
            {
                "kind": "memory",
                "step": last,
                "type": "peak RSS",
                "where": last,
                "message": f"peak RSS grew {growth >> 20} MiB for {run.input_bytes >> 20} MiB of input",
            }
        )
    masked: list[dict[str, Any]] = []
    errors: list[str] = []
    if result is not None:
        defects.extend(result["defects"])
        masked = result["masked"]
        errors = result["errors"]
    elif not defects:
        defects.append(
            {
                "kind": "harness",
                "step": last,
                "type": "",
                "where": "harness",
                "message": f"child ended without a result (status {status})",
            }
        )
    return Outcome(defects, masked, errors, elapsed, growth, run.input_bytes)


def run_one(
    mutant: str, seed: str, params: dict[str, Any], workdir: str, timeout: float = TIMEOUT
) -> Outcome:
    """Run one input to completion (or timeout)."""
    run = start(mutant, seed, params, workdir)
    deadline = run.started + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return finish(run, True, timeout)
        ready, _, _ = select.select([run.fd], [], [], left)
        if ready and _feed(run):
            return finish(run, False, timeout)
