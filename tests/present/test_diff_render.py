"""The diff renderers (text, Markdown, HTML) and the JSON contracts, on real builds.

JSON output of real diffs and of ``godet inspect --json`` is validated against the schemas in
src/godet/schemas; the human formats are checked for what the report holds (cause ids, evidence,
the catalog's fixes), for escaping, and for plain output when piped or with NO_COLOR.
"""

from __future__ import annotations

import copy
import json
import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
from click.testing import CliRunner

from godet.api import diff
from godet.cli import main
from godet.explain.causes import CAUSES
from godet.explain.detectors.base import Evidence
from godet.explain.report import DiffReport, Residual
from godet.present.base import renderer
from godet.present.diff_html import DiffHTML
from godet.present.diff_json import DiffJSON
from godet.present.diff_markdown import DiffMarkdown
from godet.present.diff_text import WIDTH, DiffText

GoBin = Callable[[str], Path]
GoPair = Callable[[str], tuple[Path, Path]]
ESC = "\x1b["

# Pairs whose JSON is validated: paths, -X, two causes, strip, PE, Mach-O, external link, toolchain,
# identical.
SCHEMA_PAIRS = [
    "dirs",
    "x_time",
    "two_causes",
    "strip",
    "windows_dirs",
    "darwin_dirs",
    "extlink",
    "toolchain_minor",
    "vcs_dirty",
    "dirs_trimpath",
]
INSPECT_FIXTURES = ["default", "stripped", "windows_amd64", "darwin_arm64", "cgo_net"]


def schema(name: str) -> jsonschema.Draft202012Validator:
    text = resources.files("godet").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    s = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s, format_checker=jsonschema.FormatChecker())


def assert_valid(validator: jsonschema.Draft202012Validator, doc: Any) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    msg = "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:20])
    assert not errors, msg


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped prose can be searched."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def report_of(gopair: GoPair) -> Callable[[str], DiffReport]:
    cache: dict[str, DiffReport] = {}

    def get(name: str) -> DiffReport:
        if name not in cache:
            a, b = gopair(name)
            cache[name] = diff(str(a), str(b))
        return cache[name]

    return get


@pytest.fixture(scope="module")
def unrelated(gobin: GoBin) -> DiffReport:
    """hello against a program with another main package: not two builds of one program."""
    return diff(str(gobin("default")), str(gobin("ldflags_x")))


# ------------------------------------------------------------------ JSON schemas


@pytest.mark.parametrize("name", SCHEMA_PAIRS)
def test_diff_json_matches_schema(report_of: Callable[[str], DiffReport], name: str) -> None:
    doc = json.loads(DiffJSON().render(report_of(name)))
    assert_valid(schema("diff"), doc)


def test_diff_json_of_unrelated_programs_matches_schema(unrelated: DiffReport) -> None:
    doc = json.loads(DiffJSON().render(unrelated))
    assert_valid(schema("diff"), doc)
    assert doc["related"] is False


def test_diff_cli_json_matches_schema_and_exit_code(gopair: GoPair) -> None:
    a, b = gopair("two_causes")
    res = CliRunner().invoke(main, ["diff", "--format", "json", str(a), str(b)])
    assert res.exit_code == 1, res.output
    assert_valid(schema("diff"), json.loads(res.stdout))


def test_diff_schema_cause_ids_are_the_catalog() -> None:
    s = schema("diff").schema
    assert s["$defs"]["cause_id"]["enum"] == list(CAUSES)


@pytest.mark.parametrize("name", INSPECT_FIXTURES)
def test_inspect_json_matches_schema(gobin: GoBin, name: str) -> None:
    res = CliRunner().invoke(main, ["inspect", "--json", str(gobin(name))])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert_valid(schema("inspect"), doc)
    assert len(doc) == 1 and doc[0]["is_go"] is True


def test_inspect_json_with_functions_and_a_non_go_file_matches_schema(gobin: GoBin) -> None:
    # the Python interpreter is an executable of the host format that is not a Go program
    res = CliRunner().invoke(
        main, ["inspect", "--json", "--functions", str(gobin("stripped")), os.path.realpath(sys.executable)]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert_valid(schema("inspect"), doc)
    assert doc[0]["pclntab"]["functions"]
    assert doc[1]["is_go"] is False and doc[1]["buildinfo"] is None


# ------------------------------------------------------------------ text


def test_text_names_causes_evidence_and_fixes(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("two_causes")
    assert {"build-path", "ldflags-x"} <= {c.cause for c in rep.roots}
    out = DiffText(color=False).render(rep)
    text = flat(out)
    assert text.startswith("godet diff: DIFFERENT")
    for f in rep.causes:
        assert f.cause in out
    for f in rep.roots:
        e = f.evidence[0]
        assert f"A: {e.a}" in text and f"B: {e.b}" in text, (f.cause, e)
        assert f.fix == CAUSES[f.cause].fix
        assert flat(CAUSES[f.cause].fix) in text
    for f in rep.consequences:
        assert f"because of {f.because}" in text


@pytest.mark.parametrize("name", ["two_causes", "extlink", "toolchain_minor", "windows_dirs"])
def test_text_fits_100_columns_and_is_plain(report_of: Callable[[str], DiffReport], name: str) -> None:
    out = DiffText(color=False).render(report_of(name))
    assert ESC not in out
    too_long = [ln for ln in out.splitlines() if len(ln) > WIDTH]
    assert not too_long, too_long[:5]


def test_text_abbreviates_long_evidence_in_the_middle(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("toolchain_minor")
    godebug = next(f for f in rep.causes if f.cause == "default-godebug")
    value = godebug.evidence[0].a
    assert value and len(value) > WIDTH
    out = DiffText(color=False).render(rep)
    line = next(ln for ln in out.splitlines() if "A: " + value[:20] in ln)
    assert "…" in line and line.rstrip().endswith(value[-10:]) and value not in out


def test_text_keeps_whole_names_of_a_list() -> None:
    """A list of names cut in the middle ran two names into one (``…/core.Pa…httputil.getNextUrl``):
    whole names from the start, then how many were left out. Text with spaces is cut in the middle."""
    from godet.present.diff_text import abbreviate

    names = [
        "github.com/bazelbuild/bazelisk/core.ParseIssues",
        "github.com/bazelbuild/bazelisk/httputil.getNextUrl",
    ]
    got = abbreviate(", ".join(names), 70)
    assert got == f"{names[0]}, … +1 more" and len(got) <= 70
    got = abbreviate("28, e.g. " + ", ".join(names), 80)  # (names after a count)
    assert got == f"28, e.g. {names[0]}, … +1 more" and len(got) <= 80
    text = '`0+.)/]M[<51=,-{}Ly, )(: \\x\\u\\U25>\n [(""))  unccallkind on 3125-Inf+Infallgallprootitab'
    cut = abbreviate(text, 40)
    assert "more" not in cut and cut.startswith(text[:20]) and cut.endswith(text[-19:])


def test_text_cuts_long_places_in_their_middle(report_of: Callable[[str], DiffReport]) -> None:
    """A root's places that are long Go function names (tsgo's generic instantiations) lose the
    folder they all share (shown as ``…/``) and are cut in their middle on the "where" line, as
    evidence labels are: whole, six of them filled a line each."""
    from godet.present.diff_text import MAX_PLACE_WIDTH, MAX_PLACES

    rep = copy.deepcopy(report_of("two_causes"))
    root = rep.roots[0]
    module = "example.com/some/module/internal/"
    root.places = [
        f"{module}pkg{i}.(*SyncMap[example.com/x/tspath.Path,*example.com/y/vfs.Entries{i}]).Clear"
        for i in range(MAX_PLACES + 2)
    ]
    out = DiffText(color=False).render(rep)
    text = flat(out)
    assert module not in text and not any(p[len(module) :] in text for p in root.places)
    for p in root.places[:MAX_PLACES]:
        assert abbreviate_expected("…/" + p[len(module) :], MAX_PLACE_WIDTH) in text
    assert "and 2 more" in text
    root.places = ["pclntab file table", "DWARF line tables"]  # (no folder: as they are)
    assert "(pclntab file table, DWARF line tables)" in flat(DiffText(color=False).render(rep))


def abbreviate_expected(value: str, limit: int) -> str:
    """The head…tail cut the text report promises (head one longer than tail when odd)."""
    keep = limit - 1
    return value[: (keep + 1) // 2] + "…" + value[-(keep // 2) :]


def test_text_colour_only_when_asked(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("dirs")
    assert ESC in DiffText(color=True).render(rep)
    assert ESC not in DiffText(color=False).render(rep)


def test_text_identical_and_unrelated(report_of: Callable[[str], DiffReport], unrelated: DiffReport) -> None:
    same = DiffText().render(report_of("dirs_trimpath"))
    assert "IDENTICAL" in same and "byte-for-byte identical" in same
    out = flat(DiffText().render(unrelated))
    assert "not two builds of the same program" in out
    ev = unrelated.causes[0].evidence[0]
    assert f"A: {ev.a}" in out and f"B: {ev.b}" in out


def _run_on_pty(args: list[str], env: dict[str, str]) -> str:
    """Run ``python -m godet ARGS`` with stdout on a pseudo-terminal; its output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "godet", *args], stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_cli_text_colour_follows_tty_and_no_color(gopair: GoPair) -> None:
    a, b = gopair("dirs")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    assert ESC in _run_on_pty(["diff", str(a), str(b)], env)
    assert ESC not in _run_on_pty(["diff", str(a), str(b)], {**env, "NO_COLOR": "1"})
    piped = subprocess.run(
        [sys.executable, "-m", "godet", "diff", str(a), str(b)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert piped.returncode == 1 and ESC not in piped.stdout and "build-path" in piped.stdout


# ------------------------------------------------------------------ Markdown


def test_markdown_has_a_table_row_per_cause(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("two_causes")
    md = DiffMarkdown().render(rep)
    rows = [ln for ln in md.splitlines() if ln.startswith("| ") and "/docs/causes/" in ln]
    assert len(rows) == len(rep.causes)
    for f, row in zip(rep.causes, rows, strict=True):
        assert f"`{f.cause}" in row
    assert md.count("<details>") == md.count("</details>") >= len(rep.causes)
    assert "**Different**" in md.splitlines()[2]


def test_markdown_escapes_table_breakers(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("x_time")
    f = rep.causes[0]
    f.evidence.append(Evidence("a|b <x>", "left|<b>`x`</b>", None))
    md = DiffMarkdown().render(rep)
    f.evidence.pop()
    row = next(ln for ln in md.splitlines() if "a\\|b" in ln)
    # a CommonMark+GFM-tables parser (markdown-it-py, rich's own dependency) reads three cells,
    # the value shown literally inside a <code> element, and no tag of the value's
    from markdown_it import MarkdownIt

    header = "| x | y | z |\n|---|---|---|\n"
    tokens = MarkdownIt("commonmark").enable("table").parse(header + row + "\n")
    cells = [t for t in tokens if t.type == "inline"][3:]
    assert len(cells) == 3, [c.content for c in cells]
    assert "".join(c.content for c in cells[0].children) == "a|b <x>"
    kids = [(c.type, c.content) for c in cells[1].children]
    assert kids == [("html_inline", "<code>"), ("text", "left|<b>`x`</b>"), ("html_inline", "</code>")]


# ------------------------------------------------------------------ HTML


class _Collect(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(doc: str) -> _Collect:
    p = _Collect()
    p.feed(doc)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, p.stack
    return p


def test_html_is_self_contained_and_escaped(report_of: Callable[[str], DiffReport]) -> None:
    rep = report_of("two_causes")
    evil = "<script>alert('x')</script> & \"q\""
    rep.causes[0].evidence.append(Evidence("injected <label>", evil, "</td></tr><tr>"))
    try:
        doc = DiffHTML().render(rep)
    finally:
        rep.causes[0].evidence.pop()
    assert doc.startswith("<!DOCTYPE html>")
    p = parse_html(doc)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not any(k in ("src",) for k, _ in p.attrs)
    assert "url(" not in doc and "@import" not in doc
    assert "&lt;script&gt;" in doc and "<script>" not in doc
    text = "".join(p.text)
    assert evil in text and "</td></tr><tr>" in text and "injected <label>" in text
    for f in rep.causes:
        assert f.cause in text
        if f.role == "root":
            assert f.evidence[0].a in text and f.evidence[0].b in text
            assert CAUSES[f.cause].fix in text


def test_html_unrelated_and_identical(report_of: Callable[[str], DiffReport], unrelated: DiffReport) -> None:
    text = "".join(parse_html(DiffHTML().render(unrelated)).text)
    assert "not two builds of the same program" in text
    text = "".join(parse_html(DiffHTML().render(report_of("dirs_trimpath"))).text)
    assert "byte-for-byte identical" in text


@pytest.fixture()
def with_residual(report_of: Callable[[str], DiffReport]) -> Iterator[DiffReport]:
    """A real report plus residual places as the engine writes them (capstone-style listings)."""
    rep = report_of("dirs")
    saved = (list(rep.unexplained), rep.unexplained_bytes)
    rep.unexplained[:] = [
        Residual(
            unit=".text/main.main",
            bytes=12,
            a_range=(0x1000, 0x1040),
            b_range=(0x1000, 0x1044),
            section=".text",
            function="main.main",
            note="instructions changed",
            disassembly=[("call <main.helper>", "call <main.other>"), ("ret", None)],
        ),
        Residual(
            unit=".rodata",
            bytes=7,
            a_range=None,
            b_range=(0x9000, 0x9007),
            section=".rodata",
            symbol="main.table",
        ),
    ]
    rep.unexplained_bytes = 19
    yield rep
    rep.unexplained[:], rep.unexplained_bytes = saved


def test_residual_is_located_in_every_format(with_residual: DiffReport) -> None:
    rep = with_residual
    text = DiffText().render(rep)
    assert "Unexplained (19 bytes" in text
    assert "main.main" in text and "symbol main.table" in text and "instructions changed" in text
    assert "A: call <main.helper>" in text and "B: call <main.other>" in text
    assert "A 0x1000 +64   B 0x1000 +68" in text and "A -   B 0x9000 +7" in text
    html_text = "".join(parse_html(DiffHTML().render(rep)).text)
    assert "call <main.helper>" in html_text and "main.table" in html_text
    assert "&lt;main.helper&gt;" in DiffHTML().render(rep)
    md = DiffMarkdown().render(rep)
    assert "Unexplained: 19 bytes" in md and "call <main.helper>" in md  # inside a fenced block
    fence = md.index("```text")
    assert md.index("call <main.helper>") > fence


# ------------------------------------------------------------------ registry


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_every_diff_format_is_registered(report_of: Callable[[str], DiffReport], fmt: str) -> None:
    out = renderer("diff", fmt, color=False).render(report_of("dirs"))
    assert "build-path" in out


def test_a_cause_whose_bytes_its_cause_took_says_so(report_of: Callable[[str], DiffReport]) -> None:
    """A consequence whose differing bytes its cause's claims took (vcs.time inside vcs.revision's
    buildinfo lines, on esbuild 0.27.0 -> 0.27.1) has no bytes of its own: the text and HTML say
    so instead of "0 bytes · 0%"; the others keep their amounts."""
    rep = copy.deepcopy(report_of("vcs_commits"))
    (t,) = [f for f in rep.causes if f.cause == "vcs-time"]
    t.bytes, t.share = 0, 0.0
    text = DiffText(color=False).render(rep)
    line = next(ln for ln in text.splitlines() if "vcs-time ·" in ln)
    assert line.rstrip().endswith("no bytes of its own") and not re.search(r"(?<![\d,])0 bytes", text)
    (rev,) = [f for f in rep.causes if f.cause == "vcs-revision"]
    assert f"{rev.bytes:,} bytes" in text
    assert "no bytes of its own" in DiffHTML().render(rep)
