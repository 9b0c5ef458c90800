"""``godet diff --format html``: one self-contained HTML file (inline CSS, no scripts, no external assets).

The same content as the text report: the verdict, the root causes with evidence A beside B, the
consequences, the located residual (with disassembly pairs) and the sections that differ. Every
value from the binaries is escaped.
"""

from __future__ import annotations

from typing import Any

from godet.explain.detectors.base import Evidence, Finding
from godet.explain.docs import DOCS_BASE_URL, cause_url
from godet.explain.report import DiffReport, Residual, Side
from godet.present import safe
from godet.present.diff_text import (
    FORMAT_NAMES,
    abbreviate,
    cause_name,
    consequence_bytes,
    headline,
    nbytes,
    percent,
    residual_where,
)

MAX_VALUE = 2000  # characters of an evidence value (the full value is in the title attribute up to 20k)
MAX_DISASSEMBLY = 200

CSS = """
:root { --a: #b42318; --a-bg: #fef3f2; --b: #067647; --b-bg: #ecfdf3; --muted: #667085; --line: #eaecf0; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #101828;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .6em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
code, pre, .mono { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.verdict { padding: .8em 1em; border-radius: 8px; margin: 1em 0; font-size: 1.05em; }
.verdict b { letter-spacing: .05em; }
.identical { background: var(--b-bg); border: 1px solid #abefc6; }
.different { background: var(--a-bg); border: 1px solid #fecdca; }
.unrelated { background: #f4f3ff; border: 1px solid #d9d6fe; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { text-align: left; vertical-align: top; padding: .3em .6em; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; font-size: .9em; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.val { word-break: break-all; }
.a { color: var(--a); background: var(--a-bg); }
.b { color: var(--b); background: var(--b-bg); }
.cause { border: 1px solid var(--line); border-radius: 8px; padding: .6em 1em; margin: .8em 0; }
.cause.consequence { background: #f9fafb; }
.cause h3 { font-size: 1.05em; margin: .2em 0 .4em; }
.cause h3 .amount { float: right; color: var(--muted); font-weight: normal; }
.id { font-weight: 700; color: #175cd3; }
.muted { color: var(--muted); }
.fix { background: var(--b-bg); border-left: 3px solid var(--b); padding: .3em .7em; margin: .5em 0; }
.bar { height: 6px; background: var(--line); border-radius: 3px; overflow: hidden; margin: .3em 0 .6em; }
.bar span { display: block; height: 100%; background: #2e90fa; }
pre { background: #f9fafb; border: 1px solid var(--line); border-radius: 6px; padding: .6em;
      overflow-x: auto; }
details { margin: .5em 0; }
summary { cursor: pointer; }
ul.notes li { color: #b54708; }
footer { margin-top: 2em; color: var(--muted); font-size: .85em; }
""".strip()


def _e(value: Any) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes): :func:`godet.present.safe.html`."""
    return safe.html(value)


def _value(value: str | None) -> str:
    """An evidence value: escaped, abbreviated in the middle when long (full value in the title)."""
    if value is None:
        return '<span class="muted">(absent)</span>'
    if value == "":
        return '<span class="muted">(empty)</span>'
    short = abbreviate(value, MAX_VALUE)
    title = f' title="{_e(value[:20_000])}"' if short != value else ""
    return f"<code{title}>{_e(short)}</code>"


class DiffHTML:
    """A standalone HTML page (``color`` is ignored: the page has its own styles)."""

    def __init__(self, color: bool = False, **_: Any) -> None:
        del color
        self._ids: set[str] = set()

    def render(self, report: DiffReport) -> str:
        self._ids = set()
        word, text = headline(report)
        kind = "identical" if report.identical else ("unrelated" if not report.related else "different")
        body = [
            f"<h1>godet diff: {_e(word.lower())}</h1>",
            f'<div class="verdict {kind}"><b>{_e(word)}</b>: {_e(text)}.</div>',
            self._files(report),
        ]
        if report.identical:
            body.append(
                "<p>The files are byte-for-byte identical (sha256 "
                f"<code>{_e(report.a.sha256)}</code>). Nothing to fix.</p>"
            )
        elif not report.related:
            body.append(
                "<p>These are not two builds of the same program, so godet does not explain their "
                "differences byte by byte.</p>"
            )
            body += [self._cause(f) for f in report.causes]
        else:
            roots, consequences = report.roots, report.consequences
            body.append(f"<h2>Root causes ({len(roots)})</h2>")
            if roots:
                body += [self._cause(f, i) for i, f in enumerate(roots, 1)]
            else:
                body.append("<p>No root cause was recognised.</p>")
            if consequences:
                body.append(f"<h2>Consequences ({len(consequences)})</h2>")
                body.append(
                    '<p class="muted">These differ because something else differs; they go away with '
                    "their cause.</p>"
                )
                body += [self._cause(f) for f in consequences]
            body.append(self._residual(report))
            body.append(self._sections(report))
        if report.notes:
            body.append("<h2>Notes</h2>")
            body.append('<ul class="notes">' + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul>")
        body.append(
            "<footer>Generated by godet diff. Cause pages: "
            f'<a href="{_e(DOCS_BASE_URL)}index.md">docs/causes</a>.</footer>'
        )
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>godet diff: {_e(word.lower())}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
            + "\n".join(x for x in body if x)
            + "\n</body>\n</html>\n"
        )

    def _files(self, report: DiffReport) -> str:
        rows = "".join(self._side_row(n, s) for n, s in (("A", report.a), ("B", report.b)))
        return (
            '<table><thead><tr><th></th><th>File</th><th class="num">Size</th><th>Target</th><th>Go</th>'
            f"<th>sha256</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _side_row(self, name: str, s: Side) -> str:
        target = " ".join(x for x in (FORMAT_NAMES.get(s.format, s.format), s.arch) if x)
        cls = name.lower()
        return (
            f'<tr><td class="{cls}"><b>{name}</b></td><td class="val"><code>{_e(s.path)}</code></td>'
            f'<td class="num">{s.size:,}</td><td>{_e(target)}</td><td>{_e(s.go_version or "")}</td>'
            f'<td class="mono" title="{_e(s.sha256)}">{_e(s.sha256[:16])}</td></tr>'
        )

    def _cause(self, f: Finding, number: int | None = None) -> str:
        role = f.role if f.role in ("root", "consequence") else "root"
        because = ""
        if f.role == "consequence":
            link = "(a consequence)"
            if f.because:
                link = f'because of <a href="#{_e(f.because)}">{_e(f.because)}</a>'
            because = f' <span class="muted">{link}</span>'
        num = f"{number}. " if number else ""
        anchor = f.cause if f.cause not in self._ids else f"{f.cause}-{len(self._ids)}"
        self._ids.add(anchor)
        parts = [
            f'<section class="cause {role}" id="{_e(anchor)}">',
            f'<h3>{num}<a class="id" href="{_e(cause_url(f.cause))}">{_e(cause_name(f))}</a> '
            f"{_e(f.title)}{because}"
            f'<span class="amount">{_e(nbytes(f.bytes))} · {_e(percent(f.share))}</span></h3>',
            f'<div class="bar"><span style="width:{min(100.0, max(0.0, f.share * 100)):.2f}%"></span></div>',
            self._through(f),
            f"<p>{_e(f.summary)}</p>",
            self._evidence(f.evidence),
        ]
        if f.regions:
            regions = ", ".join(f"<code>{_e(r['section'])}</code> {r['bytes']:,}" for r in f.regions)
            parts.append(f'<p class="muted">Where: {regions}</p>')
        if f.places:
            parts.append(f'<p class="muted">In: {_e(", ".join(f.places))}</p>')
        if f.fix and f.role != "consequence":
            parts.append(f'<div class="fix"><b>Fix:</b> {_e(f.fix)}</div>')
        parts.append("</section>")
        return "\n".join(p for p in parts if p)

    def _through(self, f: Finding) -> str:
        through = consequence_bytes(f)
        if not through:
            return ""
        return (
            f'<p class="muted">{f.direct_bytes:,} bytes directly, {through:,} through its consequences.</p>'
        )

    def _evidence(self, items: list[Evidence]) -> str:
        if not items:
            return ""
        rows = "".join(
            f'<tr><th>{_e(e.label)}</th><td class="val a">{_value(e.a)}</td>'
            f'<td class="val b">{_value(e.b)}</td></tr>'
            for e in items
        )
        return (
            '<table class="evidence"><thead><tr><th></th><th>A</th><th>B</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )

    def _residual(self, report: DiffReport) -> str:
        if not report.unexplained:
            return "<h2>Unexplained</h2><p>Nothing: every differing byte has a cause.</p>"
        n = len(report.unexplained)
        share = percent(report.unexplained_bytes, report.differing_bytes)
        head = (
            f"<h2>Unexplained ({_e(nbytes(report.unexplained_bytes))}, {_e(share)}, "
            f"in {n} place{'s' * (n != 1)})</h2>"
            '<p class="muted">No detector claimed these bytes; they are located as precisely as the '
            "binaries allow.</p>"
        )
        rows = "".join(self._residual_row(r) for r in report.unexplained)
        table = (
            '<table><thead><tr><th>Where</th><th class="num">Bytes</th><th>A (offset +size)</th>'
            f"<th>B (offset +size)</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
        )
        dis = "".join(self._disassembly(r) for r in report.unexplained)
        return head + table + dis

    def _residual_row(self, r: Residual) -> str:
        return (
            f'<tr><td>{_e(residual_where(r))}</td><td class="num">{r.bytes:,}</td>'
            f'<td class="mono">{_e(_range(r.a_range))}</td>'
            f'<td class="mono">{_e(_range(r.b_range))}</td>'
            f"<td>{_e(r.note)}</td></tr>"
        )

    def _disassembly(self, r: Residual) -> str:
        if not r.disassembly:
            return ""
        rows = "".join(
            f'<tr><td class="a mono">{_e(x or "")}</td><td class="b mono">{_e(y or "")}</td></tr>'
            for x, y in r.disassembly[:MAX_DISASSEMBLY]
        )
        more = len(r.disassembly) - MAX_DISASSEMBLY
        extra = f'<p class="muted">… and {more} more instruction pairs</p>' if more > 0 else ""
        note = f"<p>{_e(r.note)}</p>" if r.note else ""
        return (
            f"<details open><summary>Disassembly: {_e(residual_where(r))}</summary>{note}"
            f"<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody>{rows}</tbody></table>{extra}</details>"
        )

    def _sections(self, report: DiffReport) -> str:
        if not report.sections:
            return ""
        rows = "".join(
            f'<tr><td><code>{_e(s.name)}</code></td><td class="num">{_size(s.a_size)}</td>'
            f'<td class="num">{_size(s.b_size)}</td><td class="num">{s.differing:,}</td>'
            f"<td>{_e(s.how)}</td></tr>"
            for s in report.sections
        )
        return (
            f"<details><summary>Sections that differ ({len(report.sections)})</summary>"
            '<table><thead><tr><th>Section</th><th class="num">A size</th><th class="num">B size</th>'
            '<th class="num">Differing bytes</th><th>How</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            "</details>"
        )


def _range(r: tuple[int, int] | None) -> str:
    return "-" if r is None else f"{r[0]:#x} +{r[1] - r[0]:,}"


def _size(n: int | None) -> str:
    return "" if n is None else f"{n:,}"
