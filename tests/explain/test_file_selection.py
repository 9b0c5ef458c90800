"""A setting that selects source files (CGO_ENABLED, -tags) and the literals the program's own code
loads: another file's function holds another literal (the setting's doing). A function of such a
file inlined and folded away leaves no trace of its file, so an edit of main.go's literals beside
the setting is not told apart from it: the setting explains both (no false "source differs"; the
factor matrix's masking rule selected-files-hide-an-edit). Oracle: ``go tool objdump``, whose
listing names the source file of every instruction, and ``go version -m`` for the settings."""

from __future__ import annotations

import gobuild
from gobuild import BuildSpec
from godet.api import diff
from oracles import go_tool_objdump, go_version_m_json

CGO_ON = BuildSpec("cgofiles", env=(("CGO_ENABLED", "1"),))
CGO_OFF = BuildSpec("cgofiles", env=(("CGO_ENABLED", "0"),))
GREETING = "greetings from the cgofiles program"


def _files(path: object, func: str) -> set[str]:
    """The base names of the source files ``go tool objdump`` lists for ``func``'s own lines."""
    return {f.rsplit("/", 1)[-1] for f, *_ in go_tool_objdump(path, f"^{func}$")}  # type: ignore[arg-type]


def _all_files(path: object) -> set[str]:
    """The base names of every source file ``go tool objdump`` lists an instruction of."""
    return {f.rsplit("/", 1)[-1] for f, *_ in go_tool_objdump(path, "^main\\.")}  # type: ignore[arg-type]


def _settings(path: object) -> dict[str, str]:
    return {s["Key"]: s.get("Value", "") for s in go_version_m_json(path)["Settings"]}  # type: ignore[arg-type]


def test_a_setting_that_chose_another_file_explains_its_literal() -> None:
    """CGO_ENABLED=0 compiles flavour() from flavour_nocgo.go: its literal is the setting's."""
    pa, pb = gobuild.build(CGO_ON), gobuild.build(CGO_OFF)
    assert (_settings(pa)["CGO_ENABLED"], _settings(pb)["CGO_ENABLED"]) == ("1", "0")
    assert _files(pa, "main.flavour") == {"flavour_cgo.go"}
    assert _files(pb, "main.flavour") == {"flavour_nocgo.go"}
    rep = diff(str(pa), str(pb))
    assert {(f.cause, f.key) for f in rep.roots} == {("build-setting", "CGO_ENABLED")}
    literals = [f for f in rep.causes if f.cause == "string-literal" and "own" in " ".join(f.traits)]
    assert literals and all(f.role == "consequence" for f in literals)
    shown = {v for f in literals for e in f.evidence for v in (e.a, e.b)}
    assert "resolved by the pure Go code" in shown


def test_a_selected_function_inlined_away_leaves_no_trace() -> None:
    """kind() comes from kind_cgo.go or kind_nocgo.go; inlined into main and folded, neither build
    names either file: what godet can read of the main package is the same but for the literal."""
    pa, pb = gobuild.build(CGO_ON), gobuild.build(CGO_OFF)
    for p in (pa, pb):
        files = _all_files(p)
        assert "main.go" in files and not {"kind_cgo.go", "kind_nocgo.go"} & files
    rep = diff(str(pa), str(pb))
    assert {(f.cause, f.key) for f in rep.roots} == {("build-setting", "CGO_ENABLED")}
    shown = {v for f in rep.causes if f.cause == "string-literal" for e in f.evidence for v in (e.a, e.b)}
    assert "a static pure Go binary" in shown


def test_an_edit_beside_files_the_setting_selected_is_not_told_apart() -> None:
    """The same edit where CGO_ENABLED also selects flavour_nocgo.go: a literal of a function that
    one build's file held could have been inlined into main.go's code without a trace, so the
    changed literals follow the setting, as kind()'s do (no false "source differs")."""
    edited = BuildSpec(
        "cgofiles",
        env=(("CGO_ENABLED", "0"),),
        edits=(("main.go", _read("main.go").replace(GREETING, GREETING.upper())),),
    )
    pa, pb = gobuild.build(CGO_ON), gobuild.build(edited)
    rep = diff(str(pa), str(pb))
    assert {(f.cause, f.key) for f in rep.roots} == {("build-setting", "CGO_ENABLED")}


def _read(name: str) -> str:
    return (gobuild.TESTDATA / "cgofiles" / name).read_text()
