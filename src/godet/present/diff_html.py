"""``godet diff --format html``: one self-contained HTML file (inline CSS, no scripts, no external assets).

The same content as the text report: the verdict, the root causes with evidence A beside B, the
consequences, the located residual (with disassembly pairs) and the sections that differ. Every
value from the binaries is escaped.
"""

from __future__ import annotations

from typing import Any

from godet.explain.detectors.base import Evidence, Finding
from godet.explain.docs import DOCS_BASE_URL, cause_url
from godet.explain.report import DiffReport, Residual, SectionSummary, Side
from godet.present import safe
from godet.present.budget import Block, fit
from godet.present.diff_text import (
    abbreviate,
    amount,
    cause_name,
    consequence_bytes,
    headline,
    nbytes,
    percent,
    residual_where,
)
from godet.read.formats import display_name

MAX_VALUE = 2000  # characters of an evidence value (the full value is in the title attribute up to 20k)
MAX_DISASSEMBLY = 200
CHART_W = 1000
MAP_W = 1000
MAP_FLOOR = 0.012  # the narrowest unit on the map, as a share of the row (a 20-byte note stays visible)
PALETTE = ("#2e90fa", "#f79009", "#7a5af8", "#12b76a", "#ee46bc", "#0ba5ec", "#a15c07", "#6172f3")
UNEXPLAINED = "#d92d20"
EXPLAINED = "#12b76a"
SAME = "#e4e7ec"

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
details.cause > summary { list-style: none; }
details.cause > summary::-webkit-details-marker { display: none; }
details.cause > summary h3::before { content: "\\25B8"; color: var(--muted); margin-right: .4em; }
details.cause[open] > summary h3::before { content: "\\25BE"; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .4em;
          vertical-align: baseline; }
ul.legend { list-style: none; padding: 0; margin: .3em 0; display: flex; flex-wrap: wrap; gap: .2em 1.2em;
            font-size: .9em; }
figure.chart { margin: 1em 0; }
figcaption { font-weight: 600; margin-bottom: .3em; }
.map { display: grid; grid-template-columns: 1.5em 1fr; align-items: start; margin: .3em 0; }
.map .lbl { font: 11px ui-monospace, monospace; fill: #344054; }
table.dis tr.chg td { font-weight: 600; }
table.dis tr.same td { color: var(--muted); background: none; }
.cut { border: 1px dashed #f79009; padding: .5em 1em; border-radius: 6px; background: #fffaeb; }
.tree .node { margin-left: 1.2em; border-left: 2px solid var(--line); padding-left: .6em; }
.st { font-size: .8em; border-radius: 4px; padding: 0 .4em; margin-right: .6em; }
.tree { margin: .3em 0; }
.st.different { background: var(--a-bg); color: var(--a); border: 1px solid #fecdca; }
.st.only-a, .st.only-b { background: #fffaeb; color: #b54708; border: 1px solid #fedf89; }
.st.error { background: #f2f4f7; color: #344054; }
.counts { display: flex; gap: 1em; flex-wrap: wrap; margin: .6em 0; }
.counts div { border: 1px solid var(--line); border-radius: 8px; padding: .4em .9em; }
.counts b { display: block; font-size: 1.4em; }
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
    """A standalone HTML page (``color`` is ignored: the page has its own styles), at most
    ``max_report_size`` characters when given (the least important blocks left out first)."""

    def __init__(self, color: bool = False, max_report_size: int | None = None, **_: Any) -> None:
        del color
        self.max_report_size = max_report_size
        self._ids: set[str] = set()
        self._colors: dict[int, str] = {}

    def render(self, report: DiffReport) -> str:
        word, _ = headline(report)
        return page(f"godet diff: {word.lower()}", self.blocks(report), self.max_report_size)

    def blocks(self, report: DiffReport) -> list[Block]:
        """The page body in blocks, in page order: verdict, files and chart (0), the map (4), roots (1),
        consequences (2), the residual (3), the sections (4), notes (1)."""
        self._ids = set()
        self._colors = {id(f): PALETTE[i % len(PALETTE)] for i, f in enumerate(report.causes)}
        word, text = headline(report)
        kind = "identical" if report.identical else ("unrelated" if not report.related else "different")
        head = [
            f"<h1>godet diff: {_e(word.lower())}</h1>",
            f'<div class="verdict {kind}"><b>{_e(word)}</b>: {_e(text)}.</div>',
            self._files(report),
        ]
        blocks: list[Block] = []
        if report.identical:
            head.append(
                "<p>The files are byte-for-byte identical (sha256 "
                f"<code>{_e(report.a.sha256)}</code>). Nothing to fix.</p>"
            )
            blocks.append(Block("\n".join(head), 0, "summary"))
        elif not report.related:
            head.append(
                "<p>These are not two builds of the same program, so godet does not explain their "
                "differences byte by byte.</p>"
            )
            blocks.append(Block("\n".join(head), 0, "summary"))
            blocks += [Block(self._cause(f), 1, "cause") for f in report.causes]
        else:
            roots, consequences = report.roots, report.consequences
            head.append(self._chart(report))
            blocks.append(Block("\n".join(head), 0, "summary"))
            blocks.append(Block(self._map(report), 4, "section map"))
            heading = f"<h2>Root causes ({len(roots)})</h2>"
            if not roots:
                heading += "<p>No root cause was recognised.</p>"
            blocks.append(Block(heading, 0, "heading"))
            blocks += [Block(self._cause(f, i), 1, "root cause") for i, f in enumerate(roots, 1)]
            if consequences:
                blocks.append(
                    Block(
                        f"<h2>Consequences ({len(consequences)})</h2>"
                        '<p class="muted">These differ because something else differs; they go away with '
                        "their cause.</p>",
                        2,
                        "heading",
                    )
                )
                blocks += [Block(self._cause(f), 2, "consequence") for f in consequences]
            blocks.append(Block(self._residual(report), 3, "unexplained-bytes table"))
            blocks.append(Block(self._sections(report), 4, "section table"))
        if report.notes:
            notes = '<h2>Notes</h2><ul class="notes">' + "".join(f"<li>{_e(n)}</li>" for n in report.notes)
            blocks.append(Block(notes + "</ul>", 1, "note list"))
        blocks.append(
            Block(
                "<footer>Generated by godet diff. Cause pages: "
                f'<a href="{_e(DOCS_BASE_URL)}index.md">docs/causes</a>.</footer>',
                0,
                "footer",
            )
        )
        return [b for b in blocks if b.text]

    # ------------------------------------------------------------------ charts (inline SVG)

    def _color(self, f: Finding) -> str:
        return self._colors.get(id(f), PALETTE[0])

    def _chart(self, report: DiffReport) -> str:
        """Differing bytes by root cause and unexplained, as one stacked bar with its legend."""
        total = report.differing_bytes
        if not total:
            return ""
        parts = [(cause_name(f), f.title, f.bytes, self._color(f)) for f in report.roots]
        if report.unexplained_bytes:
            parts.append(
                ("unexplained", "no cause claimed these bytes", report.unexplained_bytes, UNEXPLAINED)
            )
        x, rects, legend = 0.0, [], []
        for name, title, n, color in parts:
            w = CHART_W * n / total
            label = f"{name}: {nbytes(n)} ({percent(n, total)})"
            rects.append(
                f'<rect x="{x:.2f}" y="0" width="{max(w, 1.0):.2f}" height="28" fill="{color}">'
                f"<title>{_e(label)}</title></rect>"
            )
            legend.append(
                f'<li><span class="swatch" style="background:{color}"></span><b>{_e(name)}</b> '
                f'<span class="muted">{_e(title)}</span> · {_e(nbytes(n))} · {_e(percent(n, total))}</li>'
            )
            x += w
        ex = CHART_W * report.explained_bytes / total
        rects.append(
            f'<rect x="0" y="34" width="{ex:.2f}" height="8" fill="{EXPLAINED}"><title>explained: '
            f"{_e(nbytes(report.explained_bytes))}</title></rect>"
            f'<rect x="{ex:.2f}" y="34" width="{CHART_W - ex:.2f}" height="8" fill="{UNEXPLAINED}">'
            f"<title>unexplained: {_e(nbytes(report.unexplained_bytes))}</title></rect>"
        )
        return (
            f'<figure class="chart"><figcaption>{_e(nbytes(total))} differ: '
            f"{_e(percent(report.explained_bytes, total))} explained, "
            f"{_e(percent(report.unexplained_bytes, total))} unexplained</figcaption>"
            f'<svg role="img" aria-label="differing bytes by cause" viewBox="0 0 {CHART_W} 42" '
            f'preserveAspectRatio="none" width="100%" height="42">{"".join(rects)}</svg>'
            f'<ul class="legend">{"".join(legend)}</ul></figure>'
        )

    def _map(self, report: DiffReport) -> str:
        """Both files' units in file order (width by size, with a floor), the differing bytes of each
        unit coloured by the cause that took them (and the unexplained ones)."""
        if not report.units:
            return ""
        by_unit: dict[str, list[tuple[str, str, int]]] = {}
        for f in report.causes:
            for r in f.regions:
                by_unit.setdefault(str(r["section"]), []).append(
                    (cause_name(f), self._color(f), int(r["bytes"]))
                )
        for res in report.unexplained:
            by_unit.setdefault(res.section, []).append(("unexplained", UNEXPLAINED, res.bytes))
        rows = []
        for side in ("a", "b"):
            units = sorted(
                ((u, getattr(u, f"{side}_offset"), getattr(u, f"{side}_size")) for u in report.units),
                key=lambda t: t[1] if t[1] is not None else -1,
            )
            units = [t for t in units if t[1] is not None and t[2]]
            rows.append(self._map_row(side.upper(), units, by_unit))
        legend = "".join(
            f'<li><span class="swatch" style="background:{self._color(f)}"></span>{_e(cause_name(f))}</li>'
            for f in report.causes
            if f.regions
        )
        if report.unexplained:
            legend += f'<li><span class="swatch" style="background:{UNEXPLAINED}"></span>unexplained</li>'
        legend += f'<li><span class="swatch" style="background:{SAME}"></span>same bytes</li>'
        return (
            '<h2>Map of the files</h2><p class="muted">Each unit (section, header or gap) in file order, '
            "wider when larger; the coloured part of a unit is its share of differing bytes, by cause. "
            "Hover for names and counts.</p>" + "".join(rows) + f'<ul class="legend">{legend}</ul>'
        )

    def _map_row(
        self,
        name: str,
        units: list[tuple[SectionSummary, int, int]],
        by_unit: dict[str, list[tuple[str, str, int]]],
    ) -> str:
        total = sum(size for _, _, size in units) or 1
        raw = [max(size / total, MAP_FLOOR) for _, _, size in units]
        scale = MAP_W / sum(raw)
        x, out = 0.0, []
        for (u, off, size), r in zip(units, raw, strict=True):
            w = r * scale
            tip = f"{u.name} at {off:#x}, {size:,} bytes, {u.differing:,} differ"
            out.append(
                f'<g><title>{_e(tip)}</title><rect x="{x:.2f}" y="0" width="{w:.2f}" height="34" '
                f'fill="{SAME}" stroke="#fff" stroke-width="1"></rect>'
            )
            cx = x
            for cname, color, n in by_unit.get(u.name, []):
                cw = max(w * min(1.0, n / size), 1.5)
                out.append(
                    f'<rect x="{cx:.2f}" y="4" width="{min(cw, x + w - cx):.2f}" height="26" fill="{color}">'
                    f"<title>{_e(f'{u.name}: {cname} {n:,} bytes')}</title></rect>"
                )
                cx += cw
            if w > 70:
                out.append(
                    f'<text x="{x + 4:.2f}" y="46" class="lbl">{_e(abbreviate(u.name, int(w / 7)))}</text>'
                )
            out.append("</g>")
            x += w
        return (
            f'<div class="map"><b>{name}</b><svg role="img" aria-label="sections of {name}" '
            f'viewBox="0 0 {MAP_W} 50" width="100%" height="50">{"".join(out)}</svg></div>'
        )

    def _files(self, report: DiffReport) -> str:
        rows = "".join(self._side_row(n, s) for n, s in (("A", report.a), ("B", report.b)))
        return (
            '<table><thead><tr><th></th><th>File</th><th class="num">Size</th><th>Target</th><th>Go</th>'
            f"<th>sha256</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _side_row(self, name: str, s: Side) -> str:
        target = " ".join(x for x in (display_name(s.format), s.arch) if x)
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
        opened = " open" if role == "root" else ""
        parts = [
            f'<details class="cause {role}" id="{_e(anchor)}"{opened}>',
            f'<summary><h3>{num}<span class="swatch" style="background:{self._color(f)}"></span>'
            f'<span class="id">{_e(cause_name(f))}</span> '
            f"{_e(f.title)}{because}"
            f'<span class="amount">{_e(amount(f))}</span></h3></summary>',
            f'<div class="bar"><span style="width:{min(100.0, max(0.0, f.share * 100)):.2f}%;'
            f'background:{self._color(f)}"></span></div>',
            self._through(f),
            f'<p id="{_e(anchor)}-summary">{_e(f.summary)}</p>',
            self._evidence(f.evidence),
        ]
        if f.regions:
            regions = ", ".join(f"<code>{_e(r['section'])}</code> {r['bytes']:,}" for r in f.regions)
            parts.append(f'<p class="muted">Where: {regions}</p>')
        if f.places:
            parts.append(f'<p class="muted">In: {_e(", ".join(f.places))}</p>')
        if f.fix and f.role != "consequence":
            parts.append(f'<div class="fix"><b>Fix:</b> {_e(f.fix)}</div>')
        parts.append(f'<p class="muted"><a href="{_e(cause_url(f.cause))}">About {_e(f.cause)}</a></p>')
        parts.append("</details>")
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
            f'<tr class="{"same" if x == y else "chg"}"><td class="a mono">{_e(x or "")}</td>'
            f'<td class="b mono">{_e(y or "")}</td></tr>'
            for x, y in r.disassembly[:MAX_DISASSEMBLY]
        )
        more = len(r.disassembly) - MAX_DISASSEMBLY
        extra = f'<p class="muted">… and {more} more instruction pairs</p>' if more > 0 else ""
        note = f"<p>{_e(r.note)}</p>" if r.note else ""
        return (
            f"<details open><summary>Disassembly: {_e(residual_where(r))}</summary>{note}"
            f'<table class="dis"><thead><tr><th>A (normalised)</th><th>B (normalised)</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>{extra}</details>"
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


def page(title: str, blocks: list[Block], limit: int | None) -> str:
    """One self-contained HTML document of ``blocks``; at most ``limit`` characters when given."""
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
    )
    tail = "\n</body>\n</html>\n"
    room = None if limit is None else max(0, limit - len(head) - len(tail))
    return head + fit(blocks, room, lambda what, _room: _left_out_html(what, limit or 0)) + tail


def _left_out_html(what: str, limit: int) -> str:
    return (
        f'<p class="cut">Left out to stay under {limit:,} characters: {_e(what)}. '
        "<code>godet diff --format json</code> has the full report.</p>"
    )


def _range(r: tuple[int, int] | None) -> str:
    return "-" if r is None else f"{r[0]:#x} +{r[1] - r[0]:,}"


def _size(n: int | None) -> str:
    return "" if n is None else f"{n:,}"
