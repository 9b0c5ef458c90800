"""Every string from a binary is untrusted: a Go binary whose every printable field carries hostile
strings, under a hostile file name, through every command and every output format.

The fixture is built here (``go build`` with a hostile ``-X`` value, a dependency replaced by a
directory with a hostile name, a hostile ``-tags`` and ``CGO_CFLAGS``); its twin differs in the
``-X`` value and the tag. ``go version -m`` (the oracle) confirms the hostile strings are in the
binaries; the assertions are about the output formats' own grammars, checked with parsers nobody
here wrote: markdown-it-py (CommonMark + GFM tables), html.parser, json, the SARIF schema,
ElementTree.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from robustness_util import ROOT, cli

sys.path.insert(0, str(ROOT / "tests"))
import gobuild

# The string: an OSC title sequence, CSI colour, rich markup, a bidi override, Markdown
# and HTML breakers, a workflow command, DEL, a C1 CSI, a line separator, a newline and a byte that
# is not UTF-8 (passed to go as byte 0xff).
HOSTILE = (
    "\x1b]0;PWNED\x1b\\ \x1b[31mRED[/red] [bold]x \u202e`|<script>alert(1)</script>"
    "%0A::error::x,y:z [l](http://e.example) ![i](x) @m &amp; \x7f\u009b\u2028\n::warning::nl \udcff"
)
TWIN = HOSTILE.replace("PWNED", "OWNED")
TAG = "feat\x1b[1m\u202e`|<b>[bold]"
TWIN_TAG = TAG + "2"
CFLAGS = "-O2 -DH=\x1b]0;T\x07\u202e`|<i>%0A::x"
DEP_DIR = "dep\x1b]0;T\x07\u202e`|<b>[bold]"
FILE_NAME = "app\x1b]0;FILE\x07\n::error::f\u202e`|<b>[bold]\udcff"  # (ends in byte 0xff)

GO_MOD = (
    "module example.com/hostile\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n\n"
    f'replace example.com/dep => "./{DEP_DIR}"\n'
)
DEP_FILES = (
    (f"{DEP_DIR}/go.mod", "module example.com/dep\n\ngo 1.21\n"),
    (
        f"{DEP_DIR}/dep.go",
        'package dep\n\n// Hello is the dependency.\nfunc Hello() string { return "dep" }\n',
    ),
)


def _spec(value: str, tag: str, workdir: str) -> gobuild.BuildSpec:
    return gobuild.BuildSpec(
        "hostile",
        flags=(f"-tags={tag}", f"-ldflags=-X 'main.version={value}'"),
        env=(("CGO_ENABLED", "1"), ("CGO_CFLAGS", CFLAGS)),
        edits=(("go.mod", GO_MOD), *DEP_FILES),
        workdir=workdir,
    )


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def assert_terminal_safe(out: str, what: str, tabs: bool = False) -> None:
    """No control character (but newline, and tab where allowed) and no invisible format character."""
    bad = [c for c in out if CONTROL.match(c) or unicodedata.category(c) == "Cf"]
    if tabs:
        bad = [c for c in bad if c != "\t"]
    else:
        assert "\t" not in out, what
    assert not bad, f"{what}: raw {sorted(set(bad))!r}"


@pytest.fixture(scope="module")
def hostile(gobuild_available, tmp_path_factory) -> dict[str, Path]:
    a = gobuild.build(_spec(HOSTILE, TAG, "hostile"))
    b = gobuild.build(_spec(TWIN, TWIN_TAG, "hostile"))
    base = tmp_path_factory.mktemp("hostile")
    out = {"a": base / "a" / FILE_NAME, "b": base / "b" / FILE_NAME}
    for key, src in (("a", a), ("b", b)):
        out[key].parent.mkdir()
        shutil.copyfile(src, out[key])
    tree = base / "tree" / DEP_DIR
    tree.mkdir(parents=True)
    shutil.copyfile(a, tree / FILE_NAME)
    (tree / (FILE_NAME + ".txt")).write_text("not an executable\n")
    out["tree"] = base / "tree"
    out["built_a"], out["built_b"] = a, b
    return out


def test_the_fixture_carries_the_hostile_strings(hostile):
    """The oracle: go version -m shows the -X value, the replace directory, the tag and CGO_CFLAGS."""
    tc = gobuild.toolchain()
    raw = subprocess.run(
        [str(tc.go), "version", "-m", str(hostile["built_a"])], capture_output=True, check=True
    )
    text = raw.stdout.decode("utf-8", "surrogateescape")
    assert f"=>\t./{DEP_DIR}\t(devel)" in text
    assert "main.version=\\x1b]0;PWNED" in text  # go quotes the setting; godet unquotes it
    assert 'CGO_CFLAGS="-O2 -DH=\\x1b]0;T\\a' in text
    assert '-tags="feat\\x1b[1m' in text


# ------------------------------------------------------------------------------ the format checks


def check_text(out: str, what: str) -> None:
    assert_terminal_safe(out, what, tabs="inspect" in what)


def check_json(out: str, what: str) -> None:
    """Parses, is ASCII, and inspect's and diff's documents validate against their schemas."""
    import jsonschema

    doc = json.loads(out)
    out.encode("ascii")  # json_safe keeps ensure_ascii: no raw byte of any kind
    if what.startswith(("inspect", "diff ")) and "dirs" not in what:  # (real reports, not poisoned)
        name = "inspect" if what.startswith("inspect") else "diff"
        schema = json.loads((ROOT / "src" / "godet" / "schemas" / f"{name}.schema.json").read_text())
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def check_markdown(out: str, what: str) -> None:
    from markdown_it import MarkdownIt

    assert_terminal_safe(out, what)
    lines = out.splitlines()
    cell = re.compile(r"(?:\\.|[^|\\])+")  # GFM's cell scanner: an escaped character or not a pipe
    i = 0
    while i < len(lines):  # every table keeps its column count in every row
        if (
            lines[i].startswith("|")
            and i + 1 < len(lines)
            and re.match(r"^\|(\s*:?-+:?\s*\|)+$", lines[i + 1])
        ):
            width = len(cell.findall(lines[i].strip().strip("|")))
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                row = lines[i].strip()
                assert row.endswith("|") and not row.endswith("\\|"), (what, row)
                assert len(cell.findall(row[1:-1])) == width, (what, row)
                i += 1
        i += 1
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(out)
    ours_inline = {"<code>", "</code>", "</details>", "<details>"}
    for t in tokens:
        if t.type == "html_block":
            tags = re.findall(r"</?[a-zA-Z][^>]*>", t.content)
            assert set(tags) <= {"<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>"}, (
                what,
                t.content,
            )
        for c in t.children or []:
            assert c.type != "image", (what, c)
            if c.type == "html_inline":
                assert c.content in ours_inline, (what, c.content)
            if c.type == "link_open":
                href = c.attrs.get("href", "")
                assert "/docs/causes/" in href, (what, href)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(k for k, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


OUR_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "div", "b", "p", "table",
    "thead", "tbody", "tr", "th", "td", "code", "section", "a", "span", "details", "summary", "ul",
    "li", "footer", "br", "figure", "figcaption",
    "svg", "g", "rect", "text",  # the chart and the map (inline SVG: no script, no href)
}  # fmt: skip
OUR_ATTRS = {
    "lang", "charset", "name", "content", "class", "id", "href", "title", "style", "open",
    "role", "aria-label", "viewbox", "preserveaspectratio", "width", "height", "x", "y", "fill", "stroke",
    "stroke-width",
}  # fmt: skip


def check_html(out: str, what: str) -> None:
    p = _Tags()
    p.feed(out)
    p.close()
    assert p.tags <= OUR_TAGS, (what, p.tags - OUR_TAGS)
    assert p.attrs <= OUR_ATTRS, (what, p.attrs - OUR_ATTRS)
    assert_terminal_safe("".join(p.text).replace("\t", " "), what + " (text)")


ANNOTATION = re.compile(r"^::(error|warning|notice)( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::[^\r\n]*$")


def check_github(out: str, what: str) -> None:
    assert_terminal_safe(out, what)
    lines = out.splitlines()
    assert lines and lines[-1].startswith("godet check "), (what, lines[-1:])
    for ln in lines[:-1]:
        assert ANNOTATION.match(ln), (what, ln)


def check_sarif(out: str, what: str) -> None:
    import jsonschema

    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "check" / "data" / "sarif-schema-2.1.0.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(log), key=str)
    assert not errors, (what, errors[:3])
    for res in log["runs"][0]["results"]:
        assert_terminal_safe(res["message"]["text"], what)


def check_junit(out: str, what: str) -> None:
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    for el in root.iter():
        for v in [*el.attrib.values(), el.text or ""]:
            assert_terminal_safe(v.replace("\n", " ").replace("\t", " "), what)


CHECKS = {
    "text": check_text,
    "json": check_json,
    "markdown": check_markdown,
    "html": check_html,
    "github": check_github,
    "sarif": check_sarif,
    "junit": check_junit,
}


def _run(args: list[str], what: str, fmt: str) -> str:
    p = cli(*args)  # (one "godet: PATH: problem" line per error, no traceback)
    assert_terminal_safe(p.stderr, what + " stderr")
    CHECKS[fmt](p.stdout, what)
    return p.stdout


# ------------------------------------------------------------------------------ every command × format


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_inspect(hostile, fmt):
    args = ["inspect", *(["--json"] if fmt == "json" else []), str(hostile["a"])]
    out = _run(args, f"inspect {fmt}", fmt)
    if fmt == "text":  # shown, escaped, as typed
        # the buildinfo block quotes settings as go version -m does (Go's own \x1b, \\)
        assert "main.version=\\x1b]0;PWNED\\x1b\\\\ \\x1b[31mRED[/red] [bold]x \\u202e`|<script>" in out
        assert "app\\x1b]0;FILE\\x07\\n::error::f\\u202e" in out  # the file name
        assert "./dep\\x1b]0;T\\x07\\u202e`|<b>[bold]" in out
    else:
        facts = json.loads(out)[0]
        # JSON keeps the value itself, but for the byte that is not UTF-8: the text \xff
        assert facts["path"] == str(hostile["a"]).replace("\udcff", "\\xff")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_diff(hostile, fmt):
    out = _run(["diff", "--format", fmt, str(hostile["a"]), str(hostile["b"])], f"diff {fmt}", fmt)
    if fmt == "text":
        assert "[/red]" in out and "\\x1b]0;PWNED" in out and "\\x1b]0;OWNED" in out


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_diff_of_directories(hostile, fmt):
    """Directory diffs print the hostile relative path as a heading of each pair."""
    out = _run(
        ["diff", "--format", fmt, str(hostile["a"].parent), str(hostile["b"].parent)], f"diff dirs {fmt}", fmt
    )
    if fmt == "json":  # the report tree: valid against its schema, the differing binary in it
        import jsonschema

        doc = json.loads(out)
        schema = json.loads((ROOT / "src" / "godet" / "schemas" / "tree.schema.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(doc)
        assert doc["counts"]["different"] >= 1


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_check(hostile, fmt):
    """check of the binary and of a tree it walks (hostile directory and file names)."""
    for target in (hostile["a"], hostile["tree"]):
        _run(["check", "--format", fmt, "--fail-on", "never", str(target)], f"check {fmt}", fmt)


@pytest.mark.parametrize("command", ["inspect", "diff", "check"])
def test_colour_output_has_only_our_escape_sequences(hostile, command):
    """With colour, the only ESC bytes are the SGR sequences rich writes for our styles."""
    from godet import api
    from godet.check.engine import run_check
    from godet.check.policy import load_policy
    from godet.present.base import renderer

    a, b = str(hostile["a"]), str(hostile["b"])
    if command == "inspect":
        out = renderer("inspect", "text", color=True).render(api.inspect(a))
    elif command == "diff":
        out = renderer("diff", "text", color=True).render(api.diff(a, b))
    else:
        out = renderer("check", "text", color=True).render(
            run_check([str(hostile["tree"])], load_policy(None))
        )
    assert "\x1b[" in out  # coloured
    assert_terminal_safe(SGR.sub("", out), f"{command} colour", tabs=command == "inspect")


def test_error_lines_with_hostile_names(tmp_path):
    """A file godet cannot read, named with a newline and an ESC: still one safe error line."""
    bad = tmp_path / FILE_NAME
    bad.write_text("just text\n")
    p = cli("inspect", str(bad))
    assert p.returncode == 2
    assert len(p.stderr.splitlines()) == 1
    assert_terminal_safe(p.stderr, "stderr")
    assert "\\x1b]0;FILE\\x07\\n::error::f" in p.stderr


# ------------------------------------------------------------------------------ every string field

# Fields the renderers look up in catalogs (cause ids, levels, rule codes, roles): not free text.
LOOKUP_FIELDS = {"cause", "role", "level", "rule", "format", "because", "code", "fail_on", "how_kind"}


def _poison(obj, seen=None):
    """Set every free-text string field of ``obj`` (dataclasses, lists, dicts, tuples) to HOSTILE."""
    import dataclasses

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if isinstance(obj, str):
        return HOSTILE
    if isinstance(obj, list):
        obj[:] = [_poison(x, seen) for x in obj]
        return obj
    if isinstance(obj, tuple):
        return tuple(_poison(x, seen) for x in obj)
    if isinstance(obj, dict):
        for k in list(obj):
            obj[k] = _poison(obj[k], seen)
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name in LOOKUP_FIELDS or f.name.startswith("_"):
                continue
            v = getattr(obj, f.name)
            if isinstance(v, (str, list, tuple, dict)) or dataclasses.is_dataclass(v):
                with contextlib.suppress(AttributeError, TypeError):  # (a read-only property)
                    object.__setattr__(obj, f.name, _poison(v, seen))
    return obj


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_every_string_of_a_diff_report(hostile, fmt):
    """Not only the fields the fixture reaches: every free-text field of a real report, hostile."""
    from godet import api
    from godet.explain.report import Residual, SectionSummary
    from godet.present.base import renderer

    rep = api.diff(str(hostile["a"]), str(hostile["b"]))
    rep.unexplained.append(
        Residual(unit=".text/x", bytes=4, a_range=(16, 20), b_range=(16, 20), section=".text",
                 function="f", note="n", disassembly=[("a", "b")] * 3)
    )  # fmt: skip
    if not rep.sections:
        rep.sections.append(SectionSummary(".text", 1, 1, 1, "bytes"))
    _poison(rep)
    out = renderer("diff", fmt).render(rep)
    CHECKS[fmt](out, f"poisoned diff {fmt}")
    assert "PWNED" in out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_every_string_of_a_check_report(hostile, fmt):
    from godet.check.engine import run_check
    from godet.check.policy import load_policy
    from godet.errors import GodetError
    from godet.present.base import renderer

    rep = run_check([str(hostile["tree"])], load_policy(None))
    rep.errors.append(GodetError(HOSTILE, HOSTILE))
    for r in rep.results:
        r.notes.append("note")
    _poison(rep.results)
    for r in rep.results:
        _poison(r.findings)
    out = renderer("check", fmt).render(rep)
    CHECKS[fmt](out, f"poisoned check {fmt}")
    assert "PWNED" in out
