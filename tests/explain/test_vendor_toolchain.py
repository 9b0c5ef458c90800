"""A vendor's build of Go records settings of its own: Microsoft's Go writes microsoft_systemcrypto
and, from its go1.26.0 release on, microsoft_toolset_version. Such a setting in one build only, beside
another toolchain, is that toolchain's (TypeScript's Go port, tsgo, switched with its 2026-02-13
nightly). Oracle: ``go version -m``, whose settings list what each build records."""

from __future__ import annotations

from typing import Any

import pytest

import gobuild
from godet.api import diff
from godet.explain.causes import _vendor_setting
from godet.explain.detectors.base import Finding
from oracles import go_version_m_json

TSGO = "@typescript/native-preview-linux-x64"
NIGHTLIES = ("7.0.0-dev.20260207.1", "7.0.0-dev.20260213.1")  # go1.25.7, then Microsoft's go1.26.0


def _settings(path: Any) -> dict[str, str]:
    return {s["Key"]: s.get("Value", "") for s in go_version_m_json(path)["Settings"]}


def test_a_setting_only_a_vendors_release_records_follows_the_toolchain() -> None:
    a, b = (gobuild.npm_binary(TSGO, v, ("lib/tsgo",)) for v in NIGHTLIES)
    sa, sb = _settings(a), _settings(b)
    assert "microsoft_toolset_version" not in sa and sb["microsoft_toolset_version"] == "go1.26.0-microsoft"
    assert sa["microsoft_systemcrypto"] == sb["microsoft_systemcrypto"]  # (the same: nothing to explain)
    versions = [go_version_m_json(p)["GoVersion"] for p in (a, b)]
    assert versions == ["go1.25.7", "go1.26.0"]
    rep = diff(str(a), str(b))
    (toolset,) = [f for f in rep.causes if f.cause == "build-setting"]
    assert toolset.key == "microsoft_toolset_version"
    assert (toolset.role, toolset.root and toolset.root.cause) == ("consequence", "toolchain-version")
    assert {f.cause for f in rep.roots} >= {"toolchain-version", "vcs-revision", "source-change"}
    assert "build-setting" not in {f.cause for f in rep.roots}


@pytest.mark.parametrize(
    "name",
    ["default", "trimpath", "cgo_net", "extlink", "goamd64_v3", "goexperiment", "hardened", "vcs_dirty"],
)
def test_every_setting_cmd_go_writes_is_no_vendors(name: str, gobin) -> None:  # type: ignore[no-untyped-def]
    """The settings cmd/go itself writes (as go version -m lists them for builds with flags, cgo,
    external linking, GOAMD64, experiments and VCS stamps) are never taken for a vendor's."""
    keys = list(_settings(gobin(name)))
    assert keys
    vendor = [k for k in keys if _vendor_setting(Finding("toolchain-version", "", [], []), _setting(k))]
    assert not vendor


def _setting(key: str) -> Finding:
    return Finding("build-setting", "", [], [], key=key)
