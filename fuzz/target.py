"""What one fuzz input runs (inside the isolated child): inspect, check and diff, each rendered.

A defect is anything the issue forbids: a non-``GodetError`` exception escaping ``godet.api.inspect``,
``godet.api.diff``, ``godet.check`` or a renderer (the CLI would print "internal error"), an error
message that is not one line, or an input file that changed. Hangs, native crashes and memory are
judged by the parent (:mod:`fuzz.executor`). Reader or detector failures that the facade turned into
a note are recorded as *masked* (a missing bounds check that only luck made harmless).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from typing import Any

STEPS = ("inspect", "check", "diff")


def _where(tb: traceback.StackSummary) -> str:
    """The innermost godet frame (else the innermost frame): the defect's signature."""
    frames = [f for f in tb if "/godet/" in f.filename] or list(tb)
    if not frames:
        return "?"
    f = frames[-1]
    path = f.filename
    i = path.rfind("/godet/")
    return f"{path[i + 1 :] if i >= 0 else path}:{f.lineno} in {f.name}"


def describe(exc: BaseException, step: str, kind: str = "exception") -> dict[str, Any]:
    tb = traceback.extract_tb(exc.__traceback__)
    return {
        "kind": kind,
        "step": step,
        "type": type(exc).__name__,
        "message": str(exc)[:300],
        "where": _where(tb),
        "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:],
    }


def _install_probes(masked: list[dict[str, Any]], step: list[str]) -> None:
    """Record exceptions that the facade (reader guard) or the engine (detector guard) swallowed."""
    from godet.errors import FormatError
    from godet.read import binary

    guard = getattr(binary.Binary, "_guard", None)
    if guard is not None and not getattr(guard, "_fuzz_probe", False):

        def probed(self: Any, what: str, fn: Callable[[], Any], default: Any) -> Any:
            def watched() -> Any:
                try:
                    return fn()
                except FormatError:
                    raise
                except Exception as e:
                    masked.append(describe(e, f"{step[0]}:{what}", "masked"))
                    raise

            return guard(self, what, watched, default)

        probed._fuzz_probe = True  # type: ignore[attr-defined]
        binary.Binary._guard = probed  # type: ignore[method-assign]
    try:
        from godet.explain import engine
    except ImportError:  # pragma: no cover
        return
    run = getattr(engine, "_run", None)
    if run is not None and not getattr(run, "_fuzz_probe", False):

        def probed_run(fn: Callable[..., Any], ctx: Any, name: str, *a: Any, **k: Any) -> Any:
            def watched(c: Any) -> Any:
                try:
                    return fn(c)
                except FormatError:
                    raise
                except Exception as e:
                    masked.append(describe(e, f"diff:detector {name.rsplit('.', 1)[-1]}", "masked"))
                    raise

            return run(watched, ctx, name, *a, **k)

        probed_run._fuzz_probe = True  # type: ignore[attr-defined]
        engine._run = probed_run


def _inject(fault: str, path: str) -> None:
    """Plant a known fault (the harness's self-test: each must be reported as a defect)."""
    from godet.read import buildinfo, facts

    def bad_buildinfo(image: Any) -> Any:
        if fault == "masked":
            raise IndexError("planted")
        if fault == "hang":
            import time

            time.sleep(3600)
        if fault == "memory":
            block = bytearray(2 * os.path.getsize(path) + (400 << 20))
            block[::4096] = b"x" * len(block[::4096])
            return None
        if fault == "crash":
            import signal

            os.kill(os.getpid(), signal.SIGSEGV)
        return None

    if fault == "exception":

        def bad_facts(b: Any) -> Any:
            raise KeyError("planted")

        facts.collect_facts = bad_facts
    else:
        buildinfo.read_buildinfo = bad_buildinfo


def _unsafe_char(c: str) -> bool:
    import unicodedata

    return c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def _stamp(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_mode


def run(mutant: str, seed: str, params: dict[str, Any], progress: Callable[[str], None]) -> dict[str, Any]:
    """Run every step on ``mutant`` (diffed against ``seed``); returns defects, masked and error lines."""
    from godet import api
    from godet.errors import GodetError
    from godet.present.base import renderer

    defects: list[dict[str, Any]] = []
    masked: list[dict[str, Any]] = []
    errors: list[str] = []
    step = ["setup"]
    _install_probes(masked, step)
    if params.get("inject"):
        _inject(params["inject"], mutant)
    before = {p: _stamp(p) for p in (mutant, seed)}

    def guarded(name: str, fn: Callable[[], None]) -> None:
        step[0] = name
        progress(name)
        try:
            fn()
        except GodetError as e:
            errors.append(f"{name}: godet: {e.path}: {e.problem}")
            if "\n" in e.problem or not e.problem:
                defects.append(
                    {
                        "kind": "message",
                        "step": name,
                        "type": type(e).__name__,
                        "message": repr(e.problem)[:300],
                        "where": "error message",
                        "traceback": "",
                    }
                )
        except Exception as e:  # the defect the fuzzer looks for
            defects.append(describe(e, name))

    def inspect() -> None:
        facts = api.inspect(mutant)
        step[0] = "inspect:render"
        renderer("inspect", "json", functions=params.get("functions", False)).render(facts)
        safe_output("inspect", renderer("inspect", "text", functions=False, color=False).render(facts))

    def check() -> None:
        report = api.check([mutant])
        step[0] = "check:render"
        for e in report.errors:
            errors.append(f"check: godet: {e.path}: {e.problem}")
        fmt = params.get("check_format", "json")
        safe_output(f"check {fmt}", renderer("check", fmt, color=False).render(report))

    def diff() -> None:
        a, b = (mutant, seed) if params.get("mutant_first") else (seed, mutant)
        report = api.diff(a, b, deep=bool(params.get("deep")))
        step[0] = "diff:render"
        fmt = params.get("diff_format", "json")
        safe_output(f"diff {fmt}", renderer("diff", fmt, color=False).render(report))

    def safe_output(what: str, out: str) -> None:
        """No raw control or invisible format character in any output (tabs only in inspect's
        go-version-m block), and the whole output encodes as UTF-8."""
        tabs = what in ("inspect", "check junit")
        bad = sorted({c for c in out if _unsafe_char(c) and not (c == "\t" and tabs)})
        try:
            out.encode("utf-8")
        except UnicodeEncodeError as e:
            bad.append(f"encoding: {e.reason}")
        if bad:
            defects.append(
                {
                    "kind": "unsafe-output",
                    "step": step[0],
                    "type": what,
                    "message": repr(bad[:10]),
                    "where": f"{what} output",
                    "traceback": "",
                }
            )

    for name, fn in (("inspect", inspect), ("check", check), ("diff", diff)):
        if name in params.get("steps", STEPS):
            guarded(name, fn)
    for p, st in before.items():
        if _stamp(p) != st:
            defects.append(
                {
                    "kind": "wrote-input",
                    "step": step[0],
                    "type": "",
                    "message": p,
                    "where": "input changed",
                    "traceback": "",
                }
            )
    return {"defects": defects, "masked": masked, "errors": errors}
