"""What the HTML report draws, read back from the page: the chart of differing bytes by cause, the map
of both files' units coloured by cause, the residual's disassembly side by side, the styled tree page.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from godet.api import diff
from godet.explain.report import DiffReport, Residual
from godet.explain.tree import diff_trees
from godet.present.base import renderer
from godet.present.diff_html import PALETTE, UNEXPLAINED, DiffHTML
from godet.present.diff_text import cause_name, nbytes

GoPair = Callable[[str], tuple[Path, Path]]
VOID = {"meta", "br", "rect", "img", "hr", "input", "link"}


class Balanced(HTMLParser):
    """Fails on a closing tag that does not close the open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def balanced(html: str) -> None:
    p = Balanced()
    p.feed(html)
    assert p.stack == [], p.stack


@pytest.fixture(scope="module")
def report(gopair: GoPair) -> DiffReport:
    """two_causes, plus an unexplained place in .text with disassembly as the engine writes it."""
    a, b = gopair("two_causes")
    rep = diff(str(a), str(b))
    res = Residual(
        unit=".text/main.main",
        bytes=12,
        a_range=(0x1000, 0x1040),
        b_range=(0x1000, 0x1044),
        section=".text",
        function="main.main",
        note="instructions changed",
        disassembly=[("call <main.helper>", "call <main.other>"), ("ret", "ret"), ("nop", None)],
    )
    return dataclasses.replace(rep, unexplained=[res], unexplained_bytes=12)


def test_chart_of_differing_bytes_by_cause(report: DiffReport) -> None:
    html = DiffHTML().render(report)
    balanced(html)
    chart = re.search(r'<figure class="chart">(.*?)</figure>', html, re.S)
    assert chart
    titles = re.findall(r"<rect [^>]*fill=\"([^\"]+)\"><title>([^<]+)</title>", chart.group(1))
    roots = report.roots
    assert len(roots) == 2
    for i, f in enumerate(report.causes):
        if f.role == "root":  # one segment per root, in its colour, with its bytes
            want = f"{cause_name(f)}: {nbytes(f.bytes)} ("
            assert any(c == PALETTE[i] and t.startswith(want) for c, t in titles), (want, titles)
    assert any(c == UNEXPLAINED and t.startswith("unexplained: 12 bytes") for c, t in titles)
    assert any(t.startswith("explained:") for _, t in titles)


def test_map_colours_each_units_differing_bytes_by_cause(report: DiffReport) -> None:
    html = DiffHTML().render(report)
    rows = re.findall(r'<div class="map"><b>([AB])</b><svg [^>]*>(.*?)</svg></div>', html, re.S)
    assert [r for r, _ in rows] == ["A", "B"]
    colour = {f.cause: PALETTE[i] for i, f in enumerate(report.causes)}
    build_path = next(f for f in report.roots if f.cause == "build-path")
    for _, svg in rows:
        units = re.findall(r"<g><title>([^<]+)</title>(.*?)</g>", svg, re.S)
        assert len(units) == len([u for u in report.units if u.a_size])
        for region in build_path.regions:
            n, sec = region["bytes"], region["section"]
            want = f'fill="{colour["build-path"]}"><title>{sec}: build-path {n:,} bytes</title>'
            assert any(want in body for title, body in units if title.startswith(f"{sec} at ")), sec
        text = next(body for title, body in units if title.startswith(".text at "))
        assert f'fill="{UNEXPLAINED}"><title>.text: unexplained 12 bytes' in text
        same = [
            body for title, body in units if title.endswith(", 0 differ") and not title.startswith(".text ")
        ]
        assert same and all(
            "<title>" not in body for body in same
        )  # nothing drawn on an equal unit (.text: the added residual)


def test_disassembly_side_by_side(report: DiffReport) -> None:
    html = DiffHTML().render(report)
    table = re.search(r'<table class="dis">(.*?)</table>', html, re.S)
    assert table
    rows = re.findall(
        r'<tr class="(chg|same)"><td class="a mono">([^<]*)</td><td class="b mono">([^<]*)</td>',
        table.group(1),
    )
    assert rows == [
        ("chg", "call &lt;main.helper&gt;", "call &lt;main.other&gt;"),
        ("same", "ret", "ret"),
        ("chg", "nop", ""),
    ]


def test_html_cut_keeps_the_verdict_and_roots(report: DiffReport) -> None:
    full = DiffHTML().render(report)
    cut = DiffHTML(max_report_size=len(full) - 3000).render(report)
    assert len(cut) <= len(full) - 3000
    balanced(cut)
    assert all(f'id="{f.cause}"' in cut for f in report.roots)
    assert re.search(r'<p class="cut">Left out to stay under [\d,]+ characters: .*section', cut)


def test_tree_html_is_styled(gopair: GoPair, tmp_path: Path) -> None:
    a, b = gopair("dirs")
    for side, src in (("a", a), ("b", b)):
        for name in ("one", "two"):
            (tmp_path / side / name).mkdir(parents=True)
            shutil.copy(src, tmp_path / side / name / "app")
    (tmp_path / "a" / "only-here.txt").write_text("x")
    rep = diff_trees(str(tmp_path / "a"), str(tmp_path / "b"))
    html = renderer("diff", "html").render(rep)
    balanced(html)
    assert "<style>" in html and ".counts" in html and "<script" not in html
    counts = dict((label, int(n)) for n, label in re.findall(r"<div><b>(\d+)</b>([^<]+)</div>", html))
    assert counts == {"different": 2, "identical": 0, "only in A": 1}
    assert re.search(
        r'href="[^"]*build-path[^"]*">build-path</a></td><td>root</td>.*build-path in 2 binaries', html
    )
    assert html.count('<details class="member"') == 2
    assert html.count('<span class="st only-a">') == 1
