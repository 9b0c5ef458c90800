"""docs/causes/ and docs/json.md agree with the code: one page per catalog id, generated part up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from godet.explain import docs
from godet.explain.causes import CAUSES

ROOT = Path(__file__).resolve().parent.parent
CAUSES_DIR = ROOT / "docs" / "causes"
CONTAINERS = ROOT / "src" / "godet" / "explain" / "containers"
ENGINE = ROOT / "src" / "godet" / "explain" / "engine.py"
# Named by the engine itself rather than by a detector.
ENGINE_CAUSES = {"identical", "unrelated-programs", "unexplained"}


def test_generated_docs_are_up_to_date() -> None:
    res = subprocess.run([sys.executable, "-m", "godet.explain.docs", "--check"], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("cause_id", list(CAUSES))
def test_every_cause_has_a_page_from_the_catalog(cause_id: str) -> None:
    page = (CAUSES_DIR / f"{cause_id}.md").read_text(encoding="utf-8")
    c = CAUSES[cause_id]
    assert page.startswith(docs.HEADER)
    assert f"# `{c.id}`: {c.title}\n" in page
    for heading, body in (("What it is", c.what), ("How to fix it", c.fix)):
        assert f"## {heading}\n\n{body}\n" in page
    for heading in ("How it shows in the binary", "How godet detects it"):
        assert f"## {heading}\n\n" in page


def test_index_links_every_cause() -> None:
    index = (CAUSES_DIR / "index.md").read_text(encoding="utf-8")
    for cid in CAUSES:
        assert f"[`{cid}`]({cid}.md)" in index


def test_prose_covers_exactly_the_catalog() -> None:
    assert set(docs.PROSE) == set(CAUSES)


def _emitted() -> set[str]:
    """Every cause id some detector module declares in EMITS."""
    import importlib

    from godet.explain.engine import DETECTORS

    out: set[str] = set()
    for name in DETECTORS:
        out |= importlib.import_module(name).EMITS
    # the container comparators (explain/containers/) name their causes in their nodes
    containers = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CONTAINERS.glob("*.py")))
    out |= {c for c in CAUSES if f'"{c}"' in containers}
    return out


def test_detectors_declare_catalog_causes() -> None:
    assert _emitted() <= set(CAUSES)


@pytest.mark.parametrize("cause_id", [c for c in CAUSES if c not in ENGINE_CAUSES])
def test_detection_prose_matches_the_detectors(cause_id: str) -> None:
    """A page that says 'not detected yet' must be updated when a detector starts naming the cause."""
    named = cause_id in _emitted()
    if docs.PROSE[cause_id].detected:
        assert named, f"docs say a detector names {cause_id}, but no detector module declares it in EMITS"
    else:
        assert not named, f"a detector now names {cause_id}: update its PROSE entry in godet/explain/docs.py"


def test_engine_causes_are_named_by_the_engine() -> None:
    engine = ENGINE.read_text(encoding="utf-8")
    assert '"unrelated-programs"' in engine


def test_relative_links_resolve() -> None:
    pages = [*CAUSES_DIR.glob("*.md"), ROOT / "docs" / "json.md"]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+\.(?:md|json))\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).resolve().is_file(), f"{page.name}: broken link {target}"


def test_json_doc_names_every_schema_field() -> None:
    """Every property of both schemas is named in docs/json.md."""
    import json

    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for name in ("diff", "inspect"):
        path = ROOT / "src" / "godet" / "schemas" / f"{name}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        for prop in _properties(schema):
            assert f"`{prop}" in text or f"{prop}`" in text or f", `{prop}`" in text, (name, prop)


def _properties(node: object) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            out.update(props)
        for v in node.values():
            out |= _properties(v)
    elif isinstance(node, list):
        for v in node:
            out |= _properties(v)
    return out
