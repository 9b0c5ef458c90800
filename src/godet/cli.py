"""The command line: arguments → API → renderer → exit code. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from godet.errors import GodetError

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def _error(path: str, problem: str) -> None:
    _say(f"{path}: {problem}")


def _say(message: str) -> None:
    """One ``godet: PATH: problem`` line; a hostile file name cannot add lines or control the terminal."""
    from godet.present.safe import text

    click.echo("godet: " + text(message), err=True)


# Inputs are checked by godet itself (one "godet: PATH: problem" line), not by click's usage errors.
INPUT = click.Path(dir_okay=True, readable=False)


def _emit(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise GodetError(output, f"cannot write the output: {e.strerror or e}") from None
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _guarded(debug: bool, fn: Callable[[], int]) -> int:
    """Run a command body; any unexpected exception becomes one line and exit 2 (unless --debug)."""
    try:
        return fn()
    except GodetError as e:
        _error(e.path, e.problem)
        return EXIT_ERROR
    except (KeyboardInterrupt, BrokenPipeError):
        return EXIT_ERROR
    except Exception as e:  # the last line of defence: never a traceback for the user
        if debug:
            raise
        _error("godet", f"internal error: {type(e).__name__}: {e} (rerun with --debug for a traceback)")
        return EXIT_ERROR


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="godet")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """godet: explain why two builds of a Go program differ."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("files", nargs=-1, required=True, type=INPUT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/json.md).")
@click.option("--functions", is_flag=True, help="Include the full pclntab function table.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@click.pass_context
def inspect(
    ctx: click.Context, files: tuple[str, ...], as_json: bool, functions: bool, output: str | None
) -> None:
    """Print every reproducibility fact of each Go executable."""
    from godet.api import inspect_many
    from godet.present.base import renderer

    def body() -> int:
        facts, errors = inspect_many(list(files))
        for err in errors:
            _error(err.path, err.problem)
        if facts or as_json:
            r = renderer("inspect", "json" if as_json else "text", functions=functions, color=_color(output))
            _emit(r.render(facts), output)
        return EXIT_ERROR if errors else EXIT_OK

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command()
@click.argument("a", type=INPUT)
@click.argument("b", type=INPUT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
)
@click.option("--deep", is_flag=True, help="Disassemble changed functions and compare DWARF line tables.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@click.pass_context
def diff(ctx: click.Context, a: str, b: str, fmt: str, deep: bool, output: str | None) -> None:
    """Explain why build A and build B differ (exit 0 identical, 1 different, 2 error)."""
    from godet.api import diff as run_diff
    from godet.present.base import renderer

    def body() -> int:
        report = run_diff(a, b, deep=deep, progress=sys.stderr.isatty() and not output and fmt == "text")
        _emit(renderer("diff", fmt, color=_color(output)).render(report), output)
        errors = getattr(report, "errors", [])  # directory pairs that could not be read
        for _rel, problem in errors:
            _say(problem)  # "PATH: what is wrong"
        if errors:
            return EXIT_ERROR
        return EXIT_OK if report.identical else EXIT_FOUND

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command()
@click.argument("files", nargs=-1, required=True, type=INPUT)
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), help="Policy TOML file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit", "github"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default=None,
    help="Lowest level that fails the job (default: the policy's, else error).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@click.pass_context
def check(
    ctx: click.Context,
    files: tuple[str, ...],
    policy_file: str | None,
    fmt: str,
    fail_on: str | None,
    output: str | None,
) -> None:
    """Flag reproducibility hazards in built executables (exit 0 clean, 1 found, 2 error)."""
    from godet.check.engine import run_check
    from godet.check.policy import load_policy
    from godet.present.base import renderer

    def body() -> int:
        policy = load_policy(policy_file, start=os.getcwd())
        if fail_on:
            policy = policy.with_fail_on(fail_on)
        report = run_check(list(files), policy, progress=sys.stderr.isatty() and fmt == "text" and not output)
        for err in report.errors:
            _error(err.path, err.problem)
        _emit(renderer("check", fmt, color=_color(output)).render(report), output)
        return report.exit_code()

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("target", required=False, default=".")
@click.argument("flags", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option(
    "--vary", multiple=True, help="Variations to try, comma-separated (default: all; toolchain=PATH)."
)
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the binaries in this directory.")
@click.option("--go", "go", help="The go command (default: the one on PATH).")
@click.option("--script", help="Build with this sh script (writes $OUT, runs $GO) instead of go build.")
@click.option("--seed-std", is_flag=True, help="Start every build from a cache holding the standard library.")
@click.option("--jobs", "-j", type=int, default=0, help="Builds at a time (default: the number of cores).")
@click.option("--no-verify", is_flag=True, help="Do not rebuild with the suggested flags.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@click.pass_context
def rebuild(
    ctx: click.Context,
    target: str,
    flags: tuple[str, ...],
    fmt: str,
    vary: tuple[str, ...],
    keep: str | None,
    go: str | None,
    script: str | None,
    seed_std: bool,
    jobs: int,
    no_verify: bool,
    output: str | None,
) -> None:
    """Build TARGET (a package directory) under controlled variations and name what breaks
    reproducibility; go build flags follow -- (exit 0 reproducible, 1 not, 2 error)."""
    from godet.present.base import renderer
    from godet.rebuild.engine import Options
    from godet.rebuild.engine import rebuild as run_rebuild
    from godet.rebuild.progress import progress_bar

    if target.startswith("-"):  # `godet rebuild -- -trimpath`: no target, only flags
        target, flags = ".", (target, *flags)
    names = [n.strip() for v in vary for n in v.split(",") if n.strip()] or None

    def body() -> int:
        with progress_bar(sys.stderr.isatty() and not ctx.obj["debug"]) as progress:
            try:
                opts = Options(
                    target, flags, names, go, keep, script, seed_std, jobs, not no_verify, progress=progress
                )
                report = run_rebuild(opts)
            except ValueError as e:
                raise GodetError("--vary", str(e)) from None
        _emit(renderer("rebuild", fmt, color=_color(output)).render(report), output)
        return EXIT_OK if report.reproducible else EXIT_FOUND

    ctx.exit(_guarded(ctx.obj["debug"], body))


def _color(output: str | None) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set."""
    if output or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def run(argv: list[str] | None = None) -> Any:  # pragma: no cover - for python -m godet
    return main.main(args=argv, prog_name="godet")


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Run diff and check on two builds shipped inside godet (a demo: always exit 0)."""
    from godet import demo as demo_mod

    ctx.exit(_guarded(ctx.obj["debug"], demo_mod.run))
