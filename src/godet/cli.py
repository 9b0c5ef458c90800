"""The command line: arguments → API → renderer → exit code. Nothing else lives here."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from godet.errors import GodetError

EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


def _error(path: str, problem: str) -> None:
    _say(f"{path}: {problem}")


def _say(message: str) -> None:
    """One ``godet: PATH: problem`` line; a hostile file name cannot add lines or control the terminal."""
    from godet.present.safe import text

    click.echo("godet: " + text(message), err=True)


# Inputs are checked by godet itself (one "godet: PATH: problem" line), not by click's usage errors.
INPUT = click.Path(dir_okay=True, readable=False)
SOURCES_HELP = (
    "Each SOURCE is an executable, a directory (walked like go version -m DIR), a tar (plain, gzip, zstd,"
    " xz, bzip2), a zip (wheel, jar), a .deb, an .rpm, an OCI image layout or a docker save archive;"
    " archives inside archives are opened too (see docs/containers.md)."
)
COLOR_MODES = ("auto", "always", "never")
DEFAULT_WIDTH, MIN_WIDTH = 100, 60


def _truthy(name: str) -> bool:
    v = os.environ.get(name, "")
    return v not in ("", "0", "false", "no")


def resolve_color(mode: str, output: str | None) -> bool:
    """``--color``: always/never as said; auto is off under NO_COLOR, on under FORCE_COLOR or
    CLICOLOR_FORCE, else on only when writing to a terminal."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if _truthy("FORCE_COLOR") or _truthy("CLICOLOR_FORCE"):
        return True
    return not output and sys.stdout.isatty()


def terminal_width() -> int:
    """Columns for text output: COLUMNS, else the terminal's width, else 100; never below 60."""
    cols = os.environ.get("COLUMNS", "").strip()
    if cols.isdigit() and int(cols) > 0:
        width = int(cols)
    elif sys.stdout.isatty():
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        width = DEFAULT_WIDTH
    return max(MIN_WIDTH, width)


@dataclass(frozen=True)
class Output:
    """The options every command shares: where the report goes, in which format, how it looks and
    what the exit code means."""

    command: str
    fmt: str
    output: str | None
    quiet: bool
    color_mode: str
    exit_zero: bool

    @property
    def color(self) -> bool:
        return resolve_color(self.color_mode, self.output)

    @property
    def interactive(self) -> bool:
        """Whether a progress bar may be drawn on stderr."""
        return sys.stderr.isatty() and not self.quiet and not self.output and self.fmt == "text"

    def emit(self, report: Any, **options: Any) -> None:
        """Render ``report`` and write it (to ``--output``, else stdout unless ``--quiet``)."""
        from godet.present.base import renderer

        if self.quiet and not self.output:
            return
        r = renderer(self.command, self.fmt, color=self.color, width=terminal_width(), **options)
        _emit(r.render(report), self.output, self.color)

    def status(self, code: int) -> int:
        """The exit code: ``--exit-zero`` turns "found" (1) into 0; errors stay 2."""
        return EXIT_OK if self.exit_zero and code == EXIT_FOUND else code


def shared_options(command: str, findings: bool = True, json_alias: bool = False) -> Callable[[F], F]:
    """Add the option vocabulary every command shares (--format, -o, -q, --color and, where exit 1
    means findings or differences, --exit-zero); the command receives them as ``out: Output``."""
    from godet.present.base import formats

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kw: Any) -> Any:
            fmt = kw.pop("fmt")
            if kw.pop("as_json", False):
                fmt = "json"
            kw["out"] = Output(
                command, fmt, kw.pop("output"), kw.pop("quiet"), kw.pop("color"), kw.pop("exit_zero", False)
            )
            return f(*args, **kw)

        options = [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(formats(command)),
                default="text",
                show_default=True,
                help="Output format.",
            ),
            click.option(
                "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to FILE."
            ),
            click.option(
                "--quiet", "-q", is_flag=True, help="Print nothing; only the exit code (errors on stderr)."
            ),
            click.option(
                "--color",
                type=click.Choice(COLOR_MODES),
                default="auto",
                show_default=True,
                help="Colour the text output (auto honours NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE).",
            ),
        ]
        if json_alias:
            options.append(click.option("--json", "as_json", is_flag=True, help="Same as --format json."))
        if findings:
            options.append(
                click.option("--exit-zero", is_flag=True, help="Exit 0 even when something is found.")
            )
        out: Any = wrapper
        for option in reversed(options):
            out = option(out)
        return out  # type: ignore[no-any-return]

    return decorate


def _emit(text: str, output: str | None, color: bool = False) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            raise GodetError(output, f"cannot write the output: {e.strerror or e}") from None
    else:
        click.echo(text, nl=not text.endswith("\n"), color=color)  # click strips ANSI unless told


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


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``godet --version``: godet's version and those of the libraries that decide its results."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit(0)


def version_text() -> str:
    """``godet X (capstone A, numpy B, python C)``; a library that is not installed reads "missing"."""
    import platform
    from importlib import metadata

    from godet import __version__

    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "missing"

    libs = f"capstone {v('capstone')}, numpy {v('numpy')}, python {platform.python_version()}"
    return f"godet {__version__} ({libs})"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show godet's version and the versions of the libraries that decide results.",
)
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """godet: explain why two builds of a Go program differ.

    Every command takes executables, directories, archives and container images.
    """
    ctx.obj = {"debug": debug}


@main.command("explain", short_help="Print the docs page of a cause or a check rule (offline).")
@click.argument("ident", metavar="ID")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to FILE.")
@click.pass_context
def explain_cmd(ctx: click.Context, ident: str, output: str | None) -> None:
    """Print the docs page shipped with godet for ID: a cause id (build-path), a rule code (GD101) or
    a rule name (exit 0, 2 for an unknown ID)."""
    from godet.docpages import page_for

    def body() -> int:
        _emit(page_for(ident), output)
        return EXIT_OK

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command(short_help="Print every reproducibility fact of each Go executable.", epilog=SOURCES_HELP)
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True, type=INPUT)
@shared_options("inspect", findings=False, json_alias=True)
@click.option("--functions", is_flag=True, help="Include the full pclntab function table.")
@click.pass_context
def inspect(ctx: click.Context, sources: tuple[str, ...], functions: bool, out: Output) -> None:
    """Print every reproducibility fact of each Go executable in the SOURCEs (exit 0, 2 on an error)."""
    from godet.api import inspect_many

    def body() -> int:
        facts, errors = inspect_many(list(sources))
        for err in errors:
            _error(err.path, err.problem)
        if facts or out.fmt == "json":
            out.emit(facts, functions=functions)
        return EXIT_ERROR if errors else EXIT_OK

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command(
    short_help="Explain why build A and build B differ.",
    epilog=SOURCES_HELP + " A and B are of the same kind.",
)
@click.argument("a", type=INPUT)
@click.argument("b", type=INPUT)
@shared_options("diff")
@click.option("--deep", is_flag=True, help="Disassemble changed functions and compare DWARF line tables.")
@click.option(
    "--max-report-size",
    type=click.IntRange(min=1000),
    help="Characters at most, least important parts left out (markdown: 65536 unless given; text, html).",
)
@click.pass_context
def diff(ctx: click.Context, a: str, b: str, deep: bool, max_report_size: int | None, out: Output) -> None:
    """Explain why build A and build B differ (exit 0 identical, 1 different, 2 error)."""
    from godet.api import diff as run_diff

    def body() -> int:
        report = run_diff(a, b, deep=deep, progress=out.interactive)
        out.emit(report, max_report_size=max_report_size)
        errors = getattr(report, "errors", [])  # directory pairs that could not be read
        for _rel, problem in errors:
            _say(problem)  # "PATH: what is wrong"
        if errors:
            return EXIT_ERROR
        return out.status(EXIT_OK if report.identical else EXIT_FOUND)

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command(
    short_help="Flag reproducibility hazards in built executables.",
    epilog=SOURCES_HELP
    + " Rules are named by code (GD101) or name (build-path); --select, --ignore and --severity repeat"
    " or take comma-separated lists. `godet explain RULE` prints a rule's page.",
)
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True, type=INPUT)
@shared_options("check")
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), help="Policy TOML file.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default=None,
    help="Lowest level that fails the job (default: the policy's, else error).",
)
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@click.option(
    "--severity", multiple=True, metavar="RULE=LEVEL", help="Set a rule's level (error, warning, info, off)."
)
@click.pass_context
def check(
    ctx: click.Context,
    sources: tuple[str, ...],
    policy_file: str | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: tuple[str, ...],
    out: Output,
) -> None:
    """Flag reproducibility hazards in built executables (exit 0 clean, 1 found, 2 error)."""
    from godet.check.engine import run_check
    from godet.check.policy import load_policy, split_names

    def body() -> int:
        policy = load_policy(policy_file, start=os.getcwd())
        if fail_on:
            policy = policy.with_fail_on(fail_on)
        policy = policy.with_rules(split_names(select), split_names(ignore), split_names(severity))
        report = run_check(list(sources), policy, progress=out.interactive)
        for err in report.errors:
            _error(err.path, err.problem)
        out.emit(report)
        return out.status(report.exit_code())

    ctx.exit(_guarded(ctx.obj["debug"], body))


@main.command(
    context_settings={"ignore_unknown_options": True},
    short_help="Build a package under controlled variations; name what breaks reproducibility.",
)
@click.argument("target", required=False, default=".")
@click.argument("flags", nargs=-1, type=click.UNPROCESSED)
@shared_options("rebuild")
@click.option(
    "--vary", multiple=True, help="Variations to try, comma-separated (default: all; toolchain=PATH)."
)
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the binaries in this directory.")
@click.option("--go", "go", help="The go command (default: the one on PATH).")
@click.option("--script", help="Build with this sh script (writes $OUT, runs $GO) instead of go build.")
@click.option("--seed-std", is_flag=True, help="Start every build from a cache holding the standard library.")
@click.option("--jobs", "-j", type=int, default=0, help="Builds at a time (default: the number of cores).")
@click.option("--no-verify", is_flag=True, help="Do not rebuild with the suggested flags.")
@click.pass_context
def rebuild(
    ctx: click.Context,
    target: str,
    flags: tuple[str, ...],
    vary: tuple[str, ...],
    keep: str | None,
    go: str | None,
    script: str | None,
    seed_std: bool,
    jobs: int,
    no_verify: bool,
    out: Output,
) -> None:
    """Build TARGET (a package directory) under controlled variations and name what breaks
    reproducibility; go build flags follow -- (exit 0 reproducible, 1 not, 2 error)."""
    from godet.rebuild.engine import Options
    from godet.rebuild.engine import rebuild as run_rebuild
    from godet.rebuild.progress import progress_bar

    if target.startswith("-"):  # `godet rebuild -- -trimpath`: no target, only flags
        target, flags = ".", (target, *flags)
    names = [n.strip() for v in vary for n in v.split(",") if n.strip()] or None

    def body() -> int:
        with progress_bar(sys.stderr.isatty() and not out.quiet and not ctx.obj["debug"]) as progress:
            try:
                opts = Options(
                    target, flags, names, go, keep, script, seed_std, jobs, not no_verify, progress=progress
                )
                report = run_rebuild(opts)
            except ValueError as e:
                raise GodetError("--vary", str(e)) from None
        out.emit(report)
        return out.status(EXIT_OK if report.reproducible else EXIT_FOUND)

    ctx.exit(_guarded(ctx.obj["debug"], body))


def _color(output: str | None) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set."""
    return resolve_color("auto", output)


def run(argv: list[str] | None = None) -> Any:  # pragma: no cover - for python -m godet
    return main.main(args=argv, prog_name="godet")


@main.command(short_help="Diff and check a small pair shipped with godet (needs nothing else).")
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Run diff and check on two builds shipped inside godet (a demo: always exit 0)."""
    from godet import demo as demo_mod

    ctx.exit(_guarded(ctx.obj["debug"], demo_mod.run))
