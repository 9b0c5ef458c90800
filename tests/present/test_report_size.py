"""``--max-report-size``: Markdown fits a pull-request comment, cut by importance, and says what it cut.

The tree is a directory of many copies of real fixture pairs (each member a Go binary pair), so the
full Markdown is well over GitHub's 65,536 characters.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from godet.cli import main
from godet.explain.tree import diff_trees
from godet.present.base import renderer
from godet.present.budget import MARKDOWN_LIMIT, Block, fit

GoPair = Callable[[str], tuple[Path, Path]]
COPIES = 6  # of each pair: 18 Go binary pairs


@pytest.fixture(scope="module")
def many_pairs(gopair: GoPair, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("many")
    for name in ("dirs", "two_causes", "x_time"):
        a, b = gopair(name)
        for i in range(COPIES):
            for side, src in (("a", a), ("b", b)):
                d = root / side / f"{name}-{i:02d}"
                d.mkdir(parents=True)
                shutil.copy(src, d / "app")
    return root / "a", root / "b"


def _html_balanced(md: str) -> None:
    """Every <details> opened is closed (a block cut in the middle would leave one open)."""
    assert md.count("<details>") + md.count("<details ") == md.count("</details>")


def test_markdown_of_many_pairs_fits_a_pr_comment(many_pairs: tuple[Path, Path]) -> None:
    a, b = many_pairs
    rep = diff_trees(str(a), str(b))
    full = renderer("diff", "markdown", max_report_size=10**9).render(rep)
    assert len(full) > MARKDOWN_LIMIT, "the fixture tree must need cutting"
    md = renderer("diff", "markdown").render(rep)
    assert len(md) <= MARKDOWN_LIMIT
    _html_balanced(md)
    MarkdownIt("commonmark").enable("table").parse(md)  # parses
    last = md.rstrip("\n").splitlines()[-1]
    m = re.search(r"Left out to stay under 65,536 characters: (\d+) Go binary reports", last)
    assert m, last
    # what is kept: the summary with the roll-up, and every differing member's line
    assert md.startswith("## godet diff: DIFFERENT")
    assert "build-path in 12 binaries" in md and "ldflags-x in 12 binaries" in md
    assert "\n\n*Left out" in md  # its own paragraph, not the last list item's
    assert md.count("(Go binary)`") == 3 * COPIES
    kept = md.count("<summary>Go binary diff</summary>")
    assert kept + int(m.group(1)) == 3 * COPIES
    assert 0 < kept < 3 * COPIES


def test_cli_max_report_size_text_markdown_html(many_pairs: tuple[Path, Path]) -> None:
    a, b = many_pairs
    for fmt in ("text", "markdown", "html"):
        res = CliRunner().invoke(
            main, ["diff", str(a), str(b), "--format", fmt, "--max-report-size", "20000"]
        )
        assert res.exit_code == 1, res.output
        assert len(res.output) <= 20_000 + 1, (fmt, len(res.output))  # + echo's newline
        assert "20,000 characters" in res.output.rstrip("\n").splitlines()[-1] or fmt == "html", fmt
        if fmt == "html":
            assert res.output.rstrip().endswith("</html>")
            assert "Left out to stay under 20,000 characters" in res.output
            assert res.output.count("<details") == res.output.count("</details>")


def test_single_pair_cut_keeps_verdict_and_roots_first(gopair: GoPair) -> None:
    from godet.api import diff

    a, b = gopair("two_causes")
    rep = diff(str(a), str(b))
    full = renderer("diff", "markdown").render(rep)
    small = renderer("diff", "markdown", max_report_size=len(full) - 200).render(rep)
    assert len(small) <= len(full) - 200
    assert "**Different**" in small
    for f in rep.roots:
        assert f"<code>{f.cause}" in small  # every root's details kept
    assert "Left out to stay under" in small.splitlines()[-1]
    _html_balanced(small)


def test_fit_order_and_note() -> None:
    blocks = [
        Block("A" * 10, 0, "summary"),
        Block("B" * 50, 2, "consequence"),
        Block("C" * 10, 1, "root cause"),
    ]
    out = fit(blocks, 70, lambda what, n: f"[cut: {what}]")
    assert out == "A" * 10 + "\n" + "C" * 10 + "\n[cut: 1 consequence]"
    assert fit(blocks, None, lambda w, n: "") == "\n".join(b.text for b in blocks)
