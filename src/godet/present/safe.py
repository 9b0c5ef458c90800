"""Every string from a binary is untrusted: one function per output kind makes it safe to show.

Whoever built a binary chose its ``-X`` values, module paths, build settings, file paths and
symbol names; godet shows them in a terminal, a CI log, a pull-request comment, a browser and
tools that parse JSON or XML. Each renderer passes every value through the function of its kind:

* :func:`text` (terminal, pipe, CI log): C0/C1 controls, DEL, line and paragraph separators,
  bidi overrides and the other invisible format characters (Unicode ``Cf``) are shown escaped
  (``\\x1b``, ``\\u202e``); bytes that were not UTF-8 (kept by ``surrogateescape``) read
  ``\\xNN``. Text renderers build lines of :class:`Text`, which applies it to every string
  appended, and print through :func:`console`, which applies it to every bare string and never
  interprets rich markup (``[bold]`` prints as typed).
* :func:`md_text` / :func:`md_code` (GitHub Markdown): a value can neither end its code span
  nor its table row, nor add a link, an image, an HTML tag or a mention.
* :func:`html` (HTML text and double-quoted attributes): everything escaped.
* :func:`gh_data` / :func:`gh_property` (GitHub workflow commands): ``%``, CR, LF (and ``:``,
  ``,`` in properties) encoded, so a value cannot start a new ``::command::``.
* :func:`json_safe` (JSON), :func:`sarif_safe`, :func:`xml_document` (JUnit): documents that
  parse whatever the bytes.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

# Unicode format characters (category Cf, as of Unicode 15/16), plus the line and paragraph
# separators (Zl, Zp). tests/present/test_safe.py checks this list against unicodedata.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


# controls (C0, DEL, C1), lone surrogates (undecodable bytes), format characters
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff" + _char_class(_FORMAT_RANGES) + "]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_char(c: str) -> str:
    o = ord(c)
    if c in _SHORT:
        return _SHORT[c]
    if 0xDC80 <= o <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if o <= 0xFF:
        return f"\\x{o:02x}"
    if o <= 0xFFFF:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def text(value: object, keep: str = "") -> str:
    """``value`` as a string safe on a terminal: every invisible or controlling character escaped.

    Characters in ``keep`` (for example a tab in ``go version -m`` lines) stay as they are.
    """
    s = value if isinstance(value, str) else str(value)
    if not _UNSAFE.search(s):
        return s
    return _UNSAFE.sub(lambda m: m.group(0) if m.group(0) in keep else _escape_char(m.group(0)), s)


def is_safe_text(s: str, keep: str = "") -> bool:
    """True when :func:`text` would leave ``s`` unchanged."""
    return text(s, keep) == s


# ------------------------------------------------------------------------------------ terminal


class Text:
    """A line of styled text, made safe (:func:`text`) as it is built.

    Renderers build lines of these; the console decides how to show them: plain when piped
    (no rich import: the common case in CI and in every benchmark), through rich on a terminal.
    """

    __slots__ = ("plain", "spans", "style")

    def __init__(self, value: str = "", style: str = "") -> None:
        self.plain = text(value)
        self.style = style
        self.spans: list[tuple[int, int, str]] = []

    def append(self, value: object, style: str | None = None) -> Text:
        """Add ``value`` (a string, made safe, or another Text with its styles) at the end."""
        at = len(self.plain)
        if isinstance(value, Text):
            if value.style:
                self.spans.append((at, at + len(value.plain), value.style))
            self.spans.extend((at + a, at + b, s) for a, b, s in value.spans)
            self.plain += value.plain
        else:
            s = text(value)
            if style and s:
                self.spans.append((at, at + len(s), style))
            self.plain += s
        return self

    @property
    def cell_len(self) -> int:
        """Terminal cells the text takes (wide East Asian characters count two)."""
        if self.plain.isascii():
            return len(self.plain)
        from rich.cells import cell_len

        return cell_len(self.plain)

    def __len__(self) -> int:
        return len(self.plain)

    def __getitem__(self, part: slice) -> Text:
        """The characters in ``part`` (a slice without step) with their styles."""
        lo, hi, step = part.indices(len(self.plain))
        if step != 1:
            raise ValueError("a Text is sliced without a step")
        out = Text(style=self.style)
        out.plain = self.plain[lo:hi]
        out.spans = [(max(a, lo) - lo, min(b, hi) - lo, s) for a, b, s in self.spans if a < hi and b > lo]
        return out


class Console(Protocol):
    """What a text renderer prints through (from :func:`console`)."""

    def print(self, *objects: Text | str) -> None: ...
    def raw_line(self, line: str, keep: str = "") -> None: ...
    def output(self) -> str: ...


class PlainConsole:
    """The console of every text renderer without colour: lines into a buffer, styles dropped."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def print(self, *objects: object) -> None:
        """One line of Texts and strings (strings made safe), separated by spaces."""
        for o in objects:
            if not isinstance(o, (Text, str)):
                raise TypeError(f"the console prints str and Text only, not {type(o).__name__}")
        self._lines.append(" ".join(o.plain if isinstance(o, Text) else text(o) for o in objects) + "\n")

    def raw_line(self, line: str, keep: str = "") -> None:
        """Write one line as is (no styling), made safe with :func:`text` (``keep`` kept)."""
        self._lines.append(text(line, keep) + "\n")

    def output(self) -> str:
        """Everything printed so far."""
        return "".join(self._lines)


def console(color: bool) -> Console:
    """The console every text renderer prints through: :class:`PlainConsole`, or with colour a
    rich Console that never reads markup (rich is imported only then)."""
    if not color:
        return PlainConsole()
    import io

    return _rich_console_class()(
        file=io.StringIO(),
        force_terminal=True,
        soft_wrap=True,
        width=10_000,
        highlight=False,
        emoji=False,
        markup=False,
    )


@functools.cache
def _rich_console_class() -> type:
    """A rich Console that prints our safe :class:`Text` lines with their styles."""
    from rich.console import Console
    from rich.text import Span
    from rich.text import Text as RichText

    class StyledConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            lines = []
            for o in objects:
                if isinstance(o, Text):
                    spans = [Span(a, b, s) for a, b, s in o.spans]
                    lines.append(RichText(o.plain, style=o.style, spans=spans))
                elif isinstance(o, str):
                    lines.append(RichText(text(o)))
                else:
                    raise TypeError(f"the console prints str and Text only, not {type(o).__name__}")
            kwargs["markup"] = False
            super().print(*lines, **kwargs)

        def raw_line(self, line: str, keep: str = "") -> None:
            self.file.write(text(line, keep) + "\n")

        def output(self) -> str:
            return self.file.getvalue()

    return StyledConsole


# ------------------------------------------------------------------------------------ Markdown

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# that can start or end a construct (emphasis, code, link, image, HTML, table cell, heading,
# strikethrough, entity, mention, issue reference).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>()|~&#!@{}])")


def md_text(value: object) -> str:
    """Markdown prose or a table cell showing ``value`` literally (after :func:`text`)."""
    return _MD_SPECIAL.sub(r"\\\1", text(value))


def md_code(value: object, table: bool = True) -> str:
    """``value`` shown as inline code.

    A backtick code span fenced by more backticks than the value holds; in a table, a value with
    a ``|`` becomes ``<code>`` around escaped text instead (inside a code span, GFM would read a
    ``\\`` before the ``|`` as escaping the escape and end the cell).
    """
    v = text(value)
    if table and "|" in v:
        return f"<code>{md_text(v)}</code>"
    longest = max((len(m) for m in re.findall(r"`+", v)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if v.startswith(("`", " ")) or v.endswith(("`", " ")) else ""
    return f"{fence}{pad}{v}{pad}{fence}"


# ------------------------------------------------------------------------------------ HTML


def html(value: object) -> str:
    """HTML text or double-quoted attribute value showing ``value`` literally (after :func:`text`)."""
    from html import escape  # (only the HTML report needs it)

    return escape(text(value), quote=True)


# ------------------------------------------------------------------------------------ GitHub


def gh_data(value: object) -> str:
    """A workflow command's message: made safe (:func:`text`), then ``%``, CR, LF encoded."""
    return text(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_property(value: object) -> str:
    """A workflow command's property value: as :func:`gh_data`, and ``:`` and ``,`` encoded."""
    return gh_data(value).replace(":", "%3A").replace(",", "%2C")


# ------------------------------------------------------------------------------------ JSON, XML


def _deep(obj: Any, fn: Any) -> Any:
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, dict):
        return {(fn(k) if isinstance(k, str) else k): _deep(v, fn) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_deep(v, fn) for v in obj]
    return obj


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def json_string(s: str) -> str:
    """A string every JSON parser accepts: undecodable bytes (lone surrogates) become ``\\xNN`` text."""
    return _SURROGATE.sub(lambda m: _escape_char(m.group(0)), s) if _SURROGATE.search(s) else s


def json_safe(obj: Any) -> str:
    """``obj`` as indented JSON, valid UTF-8 whatever the bytes its strings came from."""
    return json.dumps(_deep(obj, json_string), indent=2) + "\n"


def sarif_safe(obj: Any) -> str:
    """A SARIF log as JSON: every string shown safely (:func:`text`, newlines and tabs kept)."""
    return json.dumps(_deep(obj, lambda s: text(s, keep="\n\t")), indent=2) + "\n"


def xml_document(root: ET.Element) -> str:
    """An XML 1.0 document of ``root`` whose every attribute and text is made safe (:func:`text`,
    newlines and tabs kept): XML forbids the other control characters, even as references."""
    for el in root.iter():
        for k, v in list(el.attrib.items()):
            el.set(k, text(v, keep="\n\t"))
        if el.text:
            el.text = text(el.text, keep="\n\t")
        if el.tail:
            el.tail = text(el.tail, keep="\n\t")
    import xml.etree.ElementTree as ET  # (only JUnit writes XML)

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
