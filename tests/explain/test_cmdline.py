"""A program built from a list of .go files (``go build main.go``: path command-line-arguments).

When both builds were, that is no difference between them: it is named only when nothing else
explains the differing bytes, or when one build is of a package path. Oracle: ``go version -m``."""

from __future__ import annotations

import gobuild
import oracles
from gobuild import BuildSpec
from godet.api import diff


def test_both_from_file_lists_beside_a_release_is_no_cause() -> None:
    a, b = BuildSpec("cmdline", pkg="main.go", toolchain="1.26.6"), BuildSpec("cmdline", pkg="main.go")
    pa, pb = gobuild.build(a), gobuild.build(b)
    assert [oracles.go_version_m_json(p)["Path"] for p in (pa, pb)] == ["command-line-arguments"] * 2
    rep = diff(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["toolchain-version"]
    assert "command-line-files" not in {f.cause for f in rep.causes}
    assert "list of .go files" not in rep.verdict


def test_a_file_list_against_a_package_path_is_named() -> None:
    a, b = (
        BuildSpec("cmdline", pkg="main.go", flags=("-trimpath",)),
        BuildSpec("cmdline", flags=("-trimpath",)),
    )
    pa, pb = gobuild.build(a), gobuild.build(b)
    paths = [oracles.go_version_m_json(p)["Path"] for p in (pa, pb)]
    assert paths[0] == "command-line-arguments" and paths[1] != paths[0]
    rep = diff(str(pa), str(pb))
    (f,) = [f for f in rep.causes if f.cause == "command-line-files"]
    assert f.role == "root" and (f.evidence[0].a, f.evidence[0].b) == tuple(paths)
