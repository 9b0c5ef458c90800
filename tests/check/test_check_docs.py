"""docs/checks/ is generated from the rule registry and must be committed up to date."""

from __future__ import annotations

import re
from pathlib import Path

from godet.check import docs
from godet.check.policy import load_policy
from godet.check.rules import BY_CODE, RULES, resolve_rule
from godet.errors import GodetError
from godet.explain.causes import CAUSES

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "checks"


def test_committed_pages_are_up_to_date() -> None:
    stale = docs.stale(DOCS)
    assert stale == [], f"run `python -m godet.check.docs` to regenerate: {stale}"
    assert docs.main(["--check", str(DOCS)]) == 0


def test_one_page_per_rule_with_every_section() -> None:
    for rule in RULES:
        page = (REPO / rule.docs_path).read_text()
        assert page.startswith(docs.HEADER)
        for heading in ("## What it detects", "## Why it breaks reproducibility", "## How to fix",
                        "## How to switch it off"):
            assert heading in page, (rule.code, heading)
        for text in (rule.code, rule.name, rule.what, rule.why, rule.fix, f'{rule.code} = "off"'):
            assert text in page, (rule.code, text)
        assert rule.help_uri.endswith(Path(rule.docs_path).name)


def test_index_lists_every_rule() -> None:
    index = (DOCS / "index.md").read_text()
    for rule in RULES:
        assert f"[{rule.code}]({rule.code}.md)" in index


def test_registry_is_consistent() -> None:
    assert len(BY_CODE) == len(RULES)
    for rule in RULES:
        assert rule.cause in CAUSES
        assert resolve_rule(rule.code) is rule and resolve_rule(rule.name) is rule
        assert resolve_rule(rule.code.lower()) is rule
        assert rule.code[:2] == "GD" and rule.code[2:].isdigit()
    assert resolve_rule("GD999") is None


def test_check_mode_reports_stale_pages(tmp_path: Path) -> None:
    docs.write(tmp_path)
    assert docs.stale(tmp_path) == []
    (tmp_path / "GD101.md").write_text("edited by hand\n")
    (tmp_path / "GD000.md").write_text(docs.HEADER + "a rule that no longer exists\n")
    assert docs.stale(tmp_path) == ["GD101.md", "GD000.md"]
    assert docs.main(["--check", str(tmp_path)]) == 1
    docs.write(tmp_path)
    assert docs.stale(tmp_path) == [] and not (tmp_path / "GD000.md").exists()


def test_policy_examples_in_the_docs_are_valid(tmp_path: Path) -> None:
    """Every TOML block of docs/checks/*.md and docs/ci.md loads as a policy."""
    blocks = []
    for page in [*sorted(DOCS.glob("*.md")), REPO / "docs" / "ci.md"]:
        blocks += [(page.name, b) for b in re.findall(r"```toml\n(.*?)```", page.read_text(), re.S)]
    assert len(blocks) > len(RULES)
    for i, (name, block) in enumerate(blocks):
        pyproject = re.search(r"^\[tool\.godet", block, re.M)
        f = tmp_path / str(i) / ("pyproject.toml" if pyproject else ".godet.toml")
        f.parent.mkdir()
        f.write_text(block)
        try:
            load_policy(str(f))
        except GodetError as e:
            raise AssertionError(f"{name}: {e}") from None
