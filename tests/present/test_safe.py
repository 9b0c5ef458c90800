"""The sanitisers of present/safe.py, and a structural check that no renderer bypasses them.

The hostile-fixture tests (tests/robustness/test_hostile.py) run every command and format on
real hostile binaries; these check the functions against independent references (unicodedata,
markdown-it-py, html.parser, json, ElementTree) on arbitrary strings.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len as rich_cell_len

from godet.present import safe
from godet.present.base import REGISTRY, TREE

PRESENT = Path(safe.__file__).parent

# any code point, undecodable bytes (surrogateescape) included
anything = st.text(st.characters(codec=None, exclude_categories=()), max_size=40) | st.binary(
    max_size=20
).map(lambda b: b.decode("utf-8", "surrogateescape"))


def _invisible(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def test_every_invisible_character_of_this_unicode_is_escaped():
    """Every control, format (bidi, zero-width…), separator and surrogate code point of the running
    Python's Unicode database is escaped by text()."""
    missed = [
        hex(cp) for cp in range(sys.maxunicode + 1) if _invisible(chr(cp)) and safe.text(chr(cp)) == chr(cp)
    ]
    assert not missed, missed[:20]


def test_text_examples():
    assert safe.text("\x1b]0;PWNED\x07") == "\\x1b]0;PWNED\\x07"
    assert safe.text("a\u202eb\u2066c") == "a\\u202eb\\u2066c"
    assert safe.text("caf\udcc3") == "caf\\xc3"  # an undecodable byte reads as the byte
    assert safe.text("tab\there", keep="\t") == "tab\there"
    assert safe.text("[bold]é ✓ 漢") == "[bold]é ✓ 漢"  # printable text is untouched


@settings(max_examples=300, deadline=None)
@given(anything)
def test_text_leaves_nothing_invisible(s):
    out = safe.text(s)
    assert not any(_invisible(c) for c in out)
    out.encode("utf-8")  # never an encoding error


@settings(max_examples=300, deadline=None)
@given(anything)
def test_terminal_console_prints_markup_as_typed(s):
    con = safe.console(color=False)
    con.print(safe.Text("[bold]" + s + "[/bold]"))
    out = con.output()
    assert out == "[bold]" + safe.text(s) + "[/bold]\n"


# rich's SGR sequences: ESC [ digits/semicolons m
_SGR = re.compile("\x1b\\[[0-9;]*m")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(anything, st.sampled_from(["", "bold", "red", "dim", "bold cyan"])), max_size=5))
def test_colour_and_plain_consoles_print_the_same_characters(pieces):
    """A line built of styled pieces reads the same with colour (rich, SGR codes removed) as plain
    (no rich): the plain console drops styles and nothing else; neither lets a control through."""
    line = safe.Text(pieces[0][0] if pieces else "", style="bold")
    for value, style in pieces[1:]:
        line.append(safe.Text(value, style) if style == "dim" else value, style or None)
    plain, colour = safe.console(color=False), safe.console(color=True)
    for con in (plain, colour):
        con.print(line)
        con.print(line[1 : len(line) - 1])  # a slice keeps the styles of its characters
        con.print("[red]" + (pieces[0][0] if pieces else ""))
    assert _SGR.sub("", colour.output()) == plain.output()
    assert "\x1b" not in plain.output()
    assert line.cell_len == rich_cell_len(line.plain)


def test_plain_text_output_does_not_import_rich():
    """The piped case (CI logs, every benchmark) builds and prints its lines without rich."""
    code = (
        "import sys; from godet.present import safe\n"
        "c = safe.console(False); c.print(safe.Text('a', 'bold').append('b', 'red'), 'c')\n"
        "assert c.output() == 'ab c\\n', c.output()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@settings(max_examples=300, deadline=None)
@given(anything, anything)
def test_markdown_cell_shows_the_value_literally(a, b):
    """In a GFM table row, md_text and md_code keep the column count and render the value as typed."""
    from markdown_it import MarkdownIt

    doc = f"| x | y |\n|---|---|\n| {safe.md_text(a)} | {safe.md_code(b)} |\n"
    tokens = MarkdownIt("commonmark").enable("table").parse(doc)
    cells = [t for t in tokens if t.type == "inline"]
    assert len(cells) == 4, doc
    first = cells[2].children or []
    assert all(c.type in ("text", "softbreak") for c in first), [c.type for c in first]
    assert "".join(c.content for c in first) == safe.text(a).strip()
    second = [
        c
        for c in cells[3].children or []
        if c.type != "html_inline" or c.content not in ("<code>", "</code>")
    ]
    shown = "".join(c.content for c in second)
    assert shown.strip() == safe.text(b).strip() or not safe.text(b).strip()


class _Parse(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.data: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.data.append(data)


@settings(max_examples=300, deadline=None)
@given(anything)
def test_html_text_and_attribute(s):
    p = _Parse()
    p.feed(f'<p title="{safe.html(s)}">{safe.html(s)}</p>')
    p.close()
    assert p.tags == ["p"]
    assert p.attrs == [("title", safe.text(s))]
    assert "".join(p.data) == safe.text(s)


@settings(max_examples=300, deadline=None)
@given(anything, anything)
def test_github_command_stays_one_line(msg, prop):
    """The workflow-command syntax (GitHub's toolkit docs): %, CR, LF, and in properties : and ,
    are %-encoded; decoding gives back the (terminal-safe) value."""
    import re

    line = f"::error file={safe.gh_property(prop)},title=t::{safe.gh_data(msg)}"
    m = re.fullmatch(r"::error file=([^:,\r\n]*),title=t::([^\r\n]*)", line)
    assert m, line

    def decode(v: str) -> str:
        for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            v = v.replace(code, ch)
        return v

    assert decode(m.group(1)) == safe.text(prop, keep="\r\n")
    assert decode(m.group(2)) == safe.text(msg, keep="\r\n")


@settings(max_examples=300, deadline=None)
@given(anything)
def test_json_and_xml_documents_parse(s):
    doc = json.loads(safe.json_safe({s: [s, {"k": s}]}))
    assert list(doc) == [safe.json_string(s)]
    safe.json_safe([s]).encode("utf-8")
    root = ET.Element("r", name=s)
    ET.SubElement(root, "c").text = s
    back = ET.fromstring(safe.xml_document(root).encode("utf-8"))
    assert back.get("name") == safe.text(s, keep="\n\t")
    assert (back.find("c").text or "") == safe.text(s, keep="\n\t")


# ------------------------------------------------------------------------------ no renderer bypasses it

# Ways to write output without the sanitisers; only safe.py may use them. (``con.print`` is the
# sanctioned sink: every console comes from safe.console, as no other Console is ever built.)
FORBIDDEN_CALLS = {"Console", "dumps", "tostring", "escape", "echo", "write", "Text"}
FORBIDDEN_NAMES = {"print", "Console", "open"}
FORBIDDEN_IMPORTS = {"rich.text", "html", "json", "click"}


def test_no_renderer_writes_around_the_sanitisers():
    for py in sorted(PRESENT.glob("*.py")):
        if py.name == "safe.py":
            continue
        tree = ast.parse(py.read_text(), str(py))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in FORBIDDEN_IMPORTS, f"{py.name}:{node.lineno} imports {node.module}"
                if node.module == "rich.console":
                    # the class may be named in annotations, never instantiated (see below)
                    assert [a.name for a in node.names] == ["Console"], f"{py.name}:{node.lineno}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert a.name not in FORBIDDEN_IMPORTS, f"{py.name}:{node.lineno} imports {a.name}"
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Name):
                    assert f.id not in FORBIDDEN_NAMES, f"{py.name}:{node.lineno} calls {f.id}()"
                elif isinstance(f, ast.Attribute):
                    assert f.attr not in FORBIDDEN_CALLS, f"{py.name}:{node.lineno} calls .{f.attr}()"


def test_every_renderer_module_is_registered_and_checked():
    """Every present module with a render() is in the registry (so the hostile tests run it)."""
    registered = {
        path.split(":")[0].rsplit(".", 1)[1] for fmts in REGISTRY.values() for path in fmts.values()
    }
    registered |= {path.split(":")[0].rsplit(".", 1)[1] for path in TREE.values()}  # diff of trees
    renderers = {
        py.stem
        for py in PRESENT.glob("*.py")
        if "def render(" in py.read_text() and py.stem not in ("base", "diff_dirs", "safe")
    }
    assert renderers == registered, renderers ^ registered
