"""Two packages built by the real tools (dpkg-deb, rpmbuild): what their metadata says about why
they differ. Oracles: `dpkg-deb -f` / `dpkg-deb -I` (control fields, md5sums), `dpkg-parsechangelog`
(the changelog's latest entry, which dpkg-buildpackage takes as SOURCE_DATE_EPOCH) and
`rpm -qp --queryformat` (header tags)."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import gobuild
from containers.conftest import godet, validate, walk
from godet.sources.pkgmeta import RPM_TAGS, rpm_header_fields
from oracles import go_version_m

DPKG = shutil.which("dpkg-deb") and shutil.which("dpkg-parsechangelog")
RPM = shutil.which("rpmbuild") and shutil.which("rpm")
need_dpkg = pytest.mark.skipif(
    not DPKG, reason="dpkg-deb/dpkg-parsechangelog missing (apt-get install dpkg-dev)"
)
need_rpm = pytest.mark.skipif(not RPM, reason="rpmbuild missing (apt-get install rpm)")

DATES = {  # changelog dates, RFC 2822 as dpkg writes them
    "1.0-1": "Mon, 01 Jan 2024 10:00:00 +0000",
    "1.0-1+b1": "Sat, 01 Jun 2024 08:30:00 +0000",
    "1.1-1": "Tue, 01 Oct 2024 12:15:00 +0200",
    "1.15": "Sun, 22 Jun 2025 18:51:14 +0000",  # a native package and its binNMU
    "1.15+b1": "Sun, 12 Apr 2026 11:17:02 +0000",
    "1.0.3-1": "Thu, 01 Jan 2026 09:00:00 +0000",
    "1.0.4-1": "Mon, 02 Feb 2026 09:00:00 +0000",
    "1.0-2": "Fri, 01 Mar 2024 10:00:00 +0000",
}


def _changelog(versions: list[str], binnmu: bool = False) -> str:
    out = ""
    for v in versions:
        extra = ", binary-only=yes" if binnmu else ""
        note = "Binary-only non-maintainer upload; no source changes." if binnmu else "New release."
        out += f"app ({v}) unstable; urgency=medium{extra}\n\n  * {note}\n\n"
        out += f" -- Dev <dev@example.com>  {DATES[v]}\n\n"
    return out


def _timestamp(text: str, tmp: Path) -> int:
    """dpkg's own reading of a changelog's latest entry time."""
    f = tmp / "changelog.txt"
    f.write_text(text)
    r = subprocess.run(
        ["dpkg-parsechangelog", "-l", str(f), "-S", "Timestamp"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return int(r.stdout)


def build_deb(
    tmp: Path,
    version: str,
    files: dict[str, bytes],
    source: list[str],
    built_using: str,
    links: dict[str, str] | None = None,
    clamp: bool = True,
    scripts: dict[str, str] | None = None,
    native: bool = False,
    mtimes: dict[str, int] | None = None,
    fields: str = "",
) -> tuple[Path, int]:
    """A .deb as dpkg-buildpackage leaves it: control, md5sums, changelog(s), files clamped to the
    latest changelog entry (unless ``clamp`` is False). Returns the package and that epoch."""
    root = tmp / version / "pkg"
    doc = root / "usr/share/doc/app"
    doc.mkdir(parents=True)
    text = _changelog(source)
    latest = _timestamp(text, tmp)
    name = "changelog" if native else "changelog.Debian"  # (a native package's is changelog.gz)
    (doc / f"{name}.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
    if version not in source:  # a binNMU: its own entry in changelog.Debian.<arch>.gz
        nmu = _changelog([version], binnmu=True)
        latest = max(latest, _timestamp(nmu, tmp))
        (doc / f"{name}.amd64.gz").write_bytes(gzip.compress(nmu.encode(), mtime=0))
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        os.chmod(root / name, 0o755 if name.startswith("usr/bin/") else 0o644)
    for name, t in (mtimes or {}).items():  # a time a build tool set (before the clamp)
        os.utime(root / name, (t, t))
    for name, target in (links or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / name)
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN/control").write_text(
        f"Package: app\nSource: app ({source[0]})\nVersion: {version}\nArchitecture: amd64\n"
        f"Maintainer: Dev <dev@example.com>\nInstalled-Size: {sum(map(len, files.values())) // 1024 + 1}\n"
        f"Built-Using: {built_using}\n{fields}Description: test package\n"
    )
    sums = [
        f"{hashlib.md5(p.read_bytes()).hexdigest()}  {p.relative_to(root)}"
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and "DEBIAN" not in p.parts
    ]
    (root / "DEBIAN/md5sums").write_text("\n".join(sums) + "\n")
    for name, text in (scripts or {}).items():  # maintainer scripts (postinst, postrm…)
        (root / "DEBIAN" / name).write_text(text)
        os.chmod(root / "DEBIAN" / name, 0o755)
    out = tmp / f"app_{version}_amd64.deb"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(latest)} if clamp else dict(os.environ)
    if not clamp:
        env.pop("SOURCE_DATE_EPOCH", None)
    r = subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    return out, latest


def _diff(a: Path, b: Path) -> dict[str, Any]:
    r = godet("diff", "--format", "json", str(a), str(b))
    assert r.returncode == 1, r.stderr
    return json.loads(r.stdout)


def _node(tree: dict[str, Any], path: str) -> dict[str, Any]:
    return next(n for n in walk(tree["root"]) if n["path"] == path)


def _causes(tree: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(n["path"], c) for n in walk(tree["root"]) for c in n["causes"]]


def _utc(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _field(deb: Path, name: str) -> str:
    r = subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _md5sums(deb: Path) -> dict[str, str]:
    r = subprocess.run(["dpkg-deb", "-I", str(deb), "md5sums"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return {p: h for h, p in (line.split("  ", 1) for line in r.stdout.splitlines() if line)}


@need_dpkg
def test_binary_only_rebuild_with_a_new_toolchain(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    """A binNMU (+b1) of the same source against another golang package: the version and the build
    environment are the roots; md5sums, Installed-Size, changelog and clamped times follow."""
    old, new = gobin("default").read_bytes(), gobin("trimpath").read_bytes()
    readme = {"usr/share/doc/app/README": b"same\n"}
    a, ea = build_deb(
        tmp_path, "1.0-1", {"usr/bin/app": old, **readme}, ["1.0-1"], "golang-1.21 (= 1.21.13-1)"
    )
    b, eb = build_deb(
        tmp_path, "1.0-1+b1", {"usr/bin/app": new, **readme}, ["1.0-1"], "golang-1.22 (= 1.22.0-1)"
    )
    tree = _diff(a, b)

    control = {c["id"]: c for c in _node(tree, "control.tar.xz/control")["causes"]}
    version = {e["label"]: (e["a"], e["b"]) for e in control["package-version"]["evidence"]}
    assert version["Version"] == (_field(a, "Version"), _field(b, "Version"))
    assert control["package-version"]["role"] == "root"
    assert "binary-only rebuild of the same source" in control["package-version"]["summary"]
    using = {e["label"]: (e["a"], e["b"]) for e in control["build-dependencies"]["evidence"]}
    assert using == {"Built-Using": (_field(a, "Built-Using"), _field(b, "Built-Using"))}

    sums = next(c for c in _node(tree, "control.tar.xz/md5sums")["causes"] if c["id"] != "file-mtime")
    assert sums["id"] == "package-metadata" and sums["role"] == "consequence"
    ma, mb = _md5sums(a), _md5sums(b)
    assert [e["label"] for e in sums["evidence"]] == sorted(
        p for p in set(ma) | set(mb) if ma.get(p) != mb.get(p)
    )

    mtimes = [c for _, c in _causes(tree) if c["id"] == "file-mtime"]
    assert mtimes and all(c["role"] == "consequence" and c["because"] == "package-version" for c in mtimes)
    stamp = next(e for e in mtimes[0]["evidence"] if e["label"] == "latest changelog entry")
    assert stamp["a"].startswith("1.0-1 ") and stamp["b"].startswith("1.0-1+b1 ")
    for t in (ea, eb):  # dpkg-parsechangelog's timestamps, as godet prints them
        assert _utc(t) in mtimes[0]["summary"]
    assert _node(tree, "data.tar.xz/usr/share/doc/app/changelog.Debian.amd64.gz")["status"] == "only-b"

    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]
    roots = {r["id"] for r in tree["rollup"] if r["role"] == "root"}
    assert {"package-version", "build-dependencies"} <= roots
    assert "source-change" not in {r["id"] for r in tree["rollup"]}  # same source: nothing says otherwise


@need_dpkg
def test_binary_only_rebuild_with_new_build_tools(tmp_path: Path) -> None:
    """A binNMU built with newer build tools: debhelper 13.x gives NEWS.Debian its latest entry's
    time (before the binNMU's epoch, so the clamp leaves it), where the older build's time was
    clamped to its own epoch; and ${misc:Pre-Depends} no longer names init-system-helpers. Both
    follow the build environment, not the version (the source is the same)."""
    news = "usr/share/doc/app/NEWS.Debian.gz"
    entry = int(dt.datetime(2023, 6, 1, 12, tzinfo=dt.UTC).timestamp())
    files = {news: gzip.compress(b"app (1.0-1) news\n", mtime=0)}
    a, ea = build_deb(
        tmp_path,
        "1.0-1",
        files,
        ["1.0-1"],
        "golang-1.21 (= 1.21.13-1)",
        fields="Pre-Depends: init-system-helpers (>= 1.54~)\n",
    )
    b, eb = build_deb(
        tmp_path, "1.0-1+b1", files, ["1.0-1"], "golang-1.22 (= 1.22.0-1)", mtimes={news: entry}
    )
    env = {**os.environ, "TZ": "UTC"}
    listed = [  # dpkg-deb's own listing: A's time clamped to its epoch, B's the tool's, before B's
        " ".join(line.split()[3:5])
        for deb in (a, b)
        for line in subprocess.run(
            ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, env=env
        ).stdout.splitlines()
        if line.endswith(news)
    ]
    assert listed == [_utc(ea)[:16], _utc(entry)[:16]]
    tree = _diff(a, b)
    node = _node(tree, "data.tar.xz/" + news)
    (mtime,) = [c for c in node["causes"] if c["id"] == "file-mtime"]
    assert (mtime["role"], mtime["because"]) == ("consequence", "build-dependencies")
    assert mtime["evidence"][0]["a"].startswith(_utc(ea)) and mtime["evidence"][0]["b"].startswith(
        _utc(entry)
    )
    assert entry < eb
    control = _node(tree, "control.tar.xz/control")["causes"]
    pre = next(c for c in control if any(e["label"] == "Pre-Depends" for e in c["evidence"]))
    assert (pre["id"], pre["role"], pre["because"]) == (
        "build-dependencies",
        "consequence",
        "build-dependencies",
    )
    assert _field(a, "Pre-Depends") and not _field(b, "Pre-Depends")
    roots = {r["id"] for r in tree["rollup"] if r["role"] == "root"}
    assert roots == {"package-version", "build-dependencies"}


@need_dpkg
def test_same_version_other_binary(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    """The same package version rebuilt with another binary inside (the reproducible-builds case):
    the binary's own causes, md5sums as their consequence, nothing on the version."""
    using = "golang-1.22 (= 1.22.0-1)"
    a, _ = build_deb(
        tmp_path / "a", "1.0-1", {"usr/bin/app": gobin("default").read_bytes()}, ["1.0-1"], using
    )
    b, _ = build_deb(
        tmp_path / "b", "1.0-1", {"usr/bin/app": gobin("trimpath").read_bytes()}, ["1.0-1"], using
    )
    tree = _diff(a, b)
    ids = {c["id"] for _, c in _causes(tree)}
    assert "package-version" not in ids and "unexplained" not in ids
    [sums] = _node(tree, "control.tar.xz/md5sums")["causes"]
    assert (sums["id"], sums["role"], [e["label"] for e in sums["evidence"]]) == (
        "package-metadata",
        "consequence",
        ["usr/bin/app"],
    )
    assert _node(tree, "data.tar.xz/usr/bin/app")["report"]["causes"]  # the Go diff explains the binary


@need_dpkg
@pytest.mark.parametrize("how", ["binnmu-new-library", "binnmu-same-libraries", "new-source"])
def test_changed_code_of_one_source_is_the_libraries(how: str, tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """Debian builds Go programs in GOPATH mode (no module versions in buildinfo); Built-Using names
    the library packages compiled in. From one source against other library versions, the code that
    changed is the libraries': the binary's source-change follows build-dependencies. With the same
    libraries it stays a root; from another source it follows the package's version."""
    old, new = (p.read_bytes() for p in gopair("source_change"))
    libs_a = "golang-1.22 (= 1.22.0-1), golang-github-foo-bar (= 1.0-1)"
    libs_b = {
        "binnmu-new-library": "golang-1.22 (= 1.22.0-1), golang-github-foo-bar (= 1.1-1)",
        "binnmu-same-libraries": libs_a,
        "new-source": "golang-1.22 (= 1.22.0-1), golang-github-foo-bar (= 1.1-1)",
    }[how]
    b_source = ["1.1-1", "1.0-1"] if how == "new-source" else ["1.0-1"]
    b_version = "1.1-1" if how == "new-source" else "1.0-1+b1"
    a, _ = build_deb(tmp_path / "a", "1.0-1", {"usr/bin/app": old}, ["1.0-1"], libs_a)
    b, _ = build_deb(tmp_path / "b", b_version, {"usr/bin/app": new}, b_source, libs_b)
    assert _field(a, "Built-Using") == libs_a and _field(b, "Built-Using") == libs_b  # as dpkg reads them
    report = _node(tree := _diff(a, b), "data.tar.xz/usr/bin/app")["report"]
    validate(tree)  # the binary's report with the package's cause in it, against diff.schema.json
    causes = {c["id"]: c for c in report["causes"]}
    if how == "binnmu-new-library":
        lib = causes["build-dependencies"]
        assert lib["role"] == "root" and lib["bytes"] >= causes["source-change"]["bytes"] > 0
        assert [(e["label"], e["a"], e["b"]) for e in lib["evidence"]["items"]] == [
            ("golang-github-foo-bar", "1.0-1", "1.1-1")
        ]
        assert (causes["source-change"]["role"], causes["source-change"]["because"]) == (
            "consequence",
            "build-dependencies",
        )
        assert "source-change" not in {r["id"] for r in tree["rollup"] if r["role"] == "root"}
    elif how == "new-source":  # another release: its code is other source, the version says so
        assert "build-dependencies" not in causes
        assert (causes["source-change"]["role"], causes["source-change"]["because"]) == (
            "consequence",
            "package-version",
        )
        assert [(e["a"], e["b"]) for e in causes["package-version"]["evidence"]["items"]] == [("1.0", "1.1")]
    else:
        assert "build-dependencies" not in causes
        assert causes["source-change"]["role"] == "root"


@need_dpkg
@pytest.mark.parametrize("libraries", ["changed", "same"])
def test_files_made_during_a_rebuild_against_other_libraries(libraries: str, tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """A binNMU against other versions of Go library packages: a man page that differs in more than
    stamps (cobra's generator dropped a macro) was made during the build and follows the libraries,
    and so do files embedded into the program (a library's go:embed data). With the same libraries
    both stay what they are on their own: unexplained, and a root."""
    old, new = (p.read_bytes() for p in gopair("embed"))
    page = {"a": b'.TH "app" "1"\n.PP\nhello\n', "b": b'.TH "app" "1"\nhello\n'}
    libs_a = "golang-1.22 (= 1.22.0-1), golang-github-spf13-cobra (= 1.8.1-1)"
    libs_b = (
        libs_a if libraries == "same" else "golang-1.22 (= 1.22.0-1), golang-github-spf13-cobra (= 1.10.2-1)"
    )
    a, b = (
        build_deb(
            tmp_path / side,
            version,
            {"usr/bin/app": binary, "usr/share/man/man1/app.1.gz": gzip.compress(page[side], mtime=0)},
            ["1.0-1"],
            libs,
        )[0]
        for side, version, binary, libs in (("a", "1.0-1", old, libs_a), ("b", "1.0-1+b1", new, libs_b))
    )
    tree = _diff(a, b)
    validate(tree)
    man = {c["id"]: c for c in _node(tree, "data.tar.xz/usr/share/man/man1/app.1.gz")["causes"]}
    embedded = next(
        c for c in _node(tree, "data.tar.xz/usr/bin/app")["report"]["causes"] if c["id"] == "embedded-content"
    )
    if libraries == "same":
        assert "unexplained" in man and "build-dependencies" not in man
        assert embedded["role"] == "root"
        return
    assert "unexplained" not in man
    made = man["build-dependencies"]
    assert (made["role"], made["because"]) == ("consequence", "build-dependencies")
    assert [(e["label"], e["a"], e["b"]) for e in made["evidence"]] == [
        ("golang-github-spf13-cobra", "1.8.1-1", "1.10.2-1")
    ]
    assert (embedded["role"], embedded["because"]) == ("consequence", "build-dependencies")
    roots = {r["id"] for r in tree["rollup"] if r["role"] == "root"}
    assert "unexplained" not in roots and "embedded-content" not in roots and "build-dependencies" in roots


@need_dpkg
@pytest.mark.parametrize("sources", ["other", "same"])
def test_a_program_not_in_go_follows_the_package_source(sources: str, tmp_path: Path) -> None:
    """An executable that is no Go program (here two system tools as the same file) inside packages
    of two source versions is the sources' change, as any file is; from one source it stays
    unexplained."""
    tools = [Path(shutil.which(t) or "") for t in ("true", "false")]
    assert all(t.is_file() for t in tools) and tools[0].read_bytes() != tools[1].read_bytes()
    using = "golang-1.22 (= 1.22.0-1)"
    a, _ = build_deb(tmp_path / "a", "1.0-1", {"usr/bin/tool": tools[0].read_bytes()}, ["1.0-1"], using)
    b_version, b_source = ("1.1-1", ["1.1-1", "1.0-1"]) if sources == "other" else ("1.0-1+b1", ["1.0-1"])
    b, _ = build_deb(tmp_path / "b", b_version, {"usr/bin/tool": tools[1].read_bytes()}, b_source, using)
    tree = _diff(a, b)
    validate(tree)
    node = _node(tree, "data.tar.xz/usr/bin/tool")
    assert node["report"] is None and any("not compared as Go binaries" in n for n in node["notes"])
    causes = {c["id"]: c for c in node["causes"]}
    if sources == "same":
        assert "unexplained" in causes and "source-change" not in causes
        return
    assert "unexplained" not in causes
    changed = causes["source-change"]
    assert (changed["role"], changed["because"]) == ("consequence", "package-version")
    assert "no known cause" not in changed["summary"] and "1.0-1 vs 1.1-1" in changed["summary"]


@need_dpkg
def test_one_source_and_the_same_libraries_leave_the_code_to_the_toolchain(tmp_path: Path) -> None:
    """A binNMU against another golang-1.X but the same Go libraries: the program's own code is the
    same, so a literal that looks like the program's own (Debian's peg-go, go1.19 vs go1.24) or
    functions another linker keeps (protoc-gen-go) follow the release. The same binaries outside a
    package keep the literal as a root (godet cannot know the source is the same)."""
    import gobuild
    from godet.api import diff
    from matrix import factors

    a_spec, b_spec = factors.pair_specs(("string-other-length", "toolchain-minor"))
    pa, pb = gobuild.build_pair(a_spec, b_spec)
    bare = diff(str(pa), str(pb))
    assert {f.cause for f in bare.roots} == {"toolchain-version", "string-literal"}
    libs = "golang-github-foo-bar (= 1.0-1)"
    a, b = (
        build_deb(tmp_path / side, version, {"usr/bin/app": p.read_bytes()}, ["1.0-1"], f"{go}, {libs}")[0]
        for side, version, p, go in (
            ("a", "1.0-1", pa, "golang-1.26 (= 1.26.6-1)"),
            ("b", "1.0-1+b1", pb, "golang-1.27 (= 1.27.3-1)"),
        )
    )
    report = _node(tree := _diff(a, b), "data.tar.xz/usr/bin/app")["report"]
    validate(tree)
    assert [c["id"] for c in report["causes"] if c["role"] == "root"] == ["toolchain-version"]
    literal = next(c for c in report["causes"] if c["id"] == "string-literal")
    assert literal["because"] == "toolchain-version"
    assert "build-dependencies" not in {c["id"] for c in report["causes"]}  # a fact, not a cause


@need_dpkg
def test_a_native_packages_changelog_dates_its_files(tmp_path: Path) -> None:
    """A native package (Debian is its upstream: version 1.15, no revision) installs its changelog as
    changelog.gz (a binNMU's entry in changelog.amd64.gz): the file times clamped to each side's
    latest entry follow the package version, as with changelog.Debian.gz."""
    using = "golang-1.22 (= 1.22.0-1)"
    files = {"usr/share/doc/app/README": b"app\n"}
    a, ea = build_deb(tmp_path / "a", "1.15", files, ["1.15"], using, native=True)
    b, eb = build_deb(tmp_path / "b", "1.15+b1", files, ["1.15"], using, native=True)
    assert ea != eb
    names = subprocess.run(["dpkg-deb", "-c", str(b)], capture_output=True, text=True, check=True).stdout
    assert "changelog.gz" in names and "changelog.Debian" not in names
    tree = _diff(a, b)
    readme = {c["id"]: c for c in _node(tree, "data.tar.xz/usr/share/doc/app/README")["causes"]}
    mtime = readme["file-mtime"]
    assert (mtime["role"], mtime["because"]) == ("consequence", "package-version")
    assert "file-mtime" not in {r["id"] for r in tree["rollup"] if r["role"] == "root"}


@need_dpkg
@pytest.mark.parametrize("generator", ["other", "same"])
def test_a_page_written_by_another_version_of_its_generator(generator: str, tmp_path: Path) -> None:
    """One source, and a man page whose generator (named in it) is another version and writes the
    ellipsis otherwise (Asciidoctor 2.0.23 vs 2.0.26, Debian's json2file-go): the build tool's doing.
    With the same generator version the changed line stays unexplained."""

    def page(version: str, dots: str) -> bytes:
        text = (
            f'.\\" Generator: Asciidoctor {version}\n.TH "APP" "8"\n.SH NAME\napp \\- None so far{dots} ;)\n'
        )
        return gzip.compress(text.encode(), mtime=0)

    using = "golang-1.22 (= 1.22.0-1)"
    vb = "2.0.26" if generator == "other" else "2.0.23"
    man = "usr/share/man/man8/app.8.gz"
    a, _ = build_deb(tmp_path / "a", "1.0-1", {man: page("2.0.23", "...")}, ["1.0-1"], using)
    b, _ = build_deb(tmp_path / "b", "1.0-1+b1", {man: page(vb, ".\\|.\\|.")}, ["1.0-1"], using)
    causes = {c["id"]: c for c in _node(_diff(a, b), f"data.tar.xz/{man}")["causes"]}
    if generator == "same":
        assert "unexplained" in causes and "build-dependencies" not in causes
        return
    assert "unexplained" not in causes
    tool = causes["build-dependencies"]
    assert [(e["label"], e["a"], e["b"]) for e in tool["evidence"]] == [("Asciidoctor", "2.0.23", "2.0.26")]


@need_dpkg
def test_stamps_in_generated_text_of_a_binary_only_rebuild(tmp_path: Path) -> None:
    """A binNMU whose man page (help2man: the build month and the package version) and maintainer
    script (debhelper's marker with its version) differ only in those stamps: the date and version
    follow the package version, the tool's version is the build environment's. A page that differs
    in one more word stays unexplained."""

    def page(epoch: int, version: str, extra: str = "") -> bytes:
        month = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%B %Y")
        text = f'.TH APP "1" "{month}" "app {version}" "User Commands"\n.SH NAME\napp \\- a tool{extra}\n'
        return gzip.compress(text.encode(), mtime=0)

    def script(debhelper: str) -> str:
        marker = f"# Automatically added by dh_installsystemd/{debhelper}"
        return f"#!/bin/sh\nset -e\n{marker}\necho hi\n# End automatically added section\n"

    _, ea = build_deb(tmp_path / "probe-a", "1.0-1", {}, ["1.0-1"], "golang-1.22 (= 1.22.0-1)")
    _, eb = build_deb(tmp_path / "probe-b", "1.0-1+b1", {}, ["1.0-1"], "golang-1.22 (= 1.22.0-1)")
    files_a = {
        "usr/share/man/man1/app.1.gz": page(ea, "1.0-1"),
        "usr/share/man/man1/other.1.gz": page(ea, "1.0-1"),
    }
    files_b = {
        "usr/share/man/man1/app.1.gz": page(eb, "1.0-1+b1"),
        "usr/share/man/man1/other.1.gz": page(eb, "1.0-1+b1", " (new)"),
    }
    using = "golang-1.22 (= 1.22.0-1)"
    a, _ = build_deb(
        tmp_path / "a", "1.0-1", files_a, ["1.0-1"], using, scripts={"postinst": script("13.24.2")}
    )
    b, _ = build_deb(
        tmp_path / "b", "1.0-1+b1", files_b, ["1.0-1"], using, scripts={"postinst": script("13.31")}
    )
    tree = _diff(a, b)
    validate(tree)

    man = {c["id"]: c for c in _node(tree, "data.tar.xz/usr/share/man/man1/app.1.gz")["causes"]}
    month = [dt.datetime.fromtimestamp(t, dt.UTC).strftime("%B %Y") for t in (ea, eb)]
    assert month[0] != month[1]  # the two changelog entries are months apart
    stamp = man["embedded-timestamp"]
    assert (stamp["role"], stamp["because"]) == ("consequence", "package-version")
    assert [(e["a"], e["b"]) for e in stamp["evidence"]] == [tuple(month)]
    named = man["package-version"]
    assert [(e["a"], e["b"]) for e in named["evidence"]] == [(_field(a, "Version"), _field(b, "Version"))]
    assert "unexplained" not in man

    other = {c["id"] for c in _node(tree, "data.tar.xz/usr/share/man/man1/other.1.gz")["causes"]}
    assert "unexplained" in other  # " (new)" is no stamp

    post = {c["id"]: c for c in _node(tree, "control.tar.xz/postinst")["causes"]}
    tool = post["build-dependencies"]
    assert tool["role"] == "root"
    assert [(e["label"], e["a"], e["b"]) for e in tool["evidence"]] == [
        ("dh_installsystemd", "13.24.2", "13.31")
    ]


@need_dpkg
def test_changed_file_in_a_binary_only_rebuild_stays_unexplained(tmp_path: Path) -> None:
    """Same source, so a packaged file that changed has no known cause: godet must not blame the version."""
    a, _ = build_deb(
        tmp_path, "1.0-1", {"usr/share/app/conf": b"one\n"}, ["1.0-1"], "golang-1.21 (= 1.21.13-1)"
    )
    b, _ = build_deb(
        tmp_path, "1.0-1+b1", {"usr/share/app/conf": b"two\n"}, ["1.0-1"], "golang-1.21 (= 1.21.13-1)"
    )
    tree = _diff(a, b)
    conf = {c["id"] for c in _node(tree, "data.tar.xz/usr/share/app/conf")["causes"]}
    assert "unexplained" in conf and "source-change" not in conf


@need_dpkg
def test_new_upstream_version(tmp_path: Path) -> None:
    """Another source version: changed files and symlinks are the source's change, the changelog the
    version's; the clamped times follow each side's latest changelog entry."""
    a, ea = build_deb(
        tmp_path,
        "1.0-1",
        {"usr/share/app/conf": b"one\n"},
        ["1.0-1"],
        "golang-1.22 (= 1.22.0-1)",
        links={"usr/share/app/current": "conf"},
    )
    b, eb = build_deb(
        tmp_path,
        "1.1-1",
        {"usr/share/app/conf": b"two\n", "usr/share/app/extra": b"x\n"},
        ["1.1-1", "1.0-1"],
        "golang-1.22 (= 1.22.0-1)",
        links={"usr/share/app/current": "extra"},
    )
    tree = _diff(a, b)
    control = {c["id"]: c for c in _node(tree, "control.tar.xz/control")["causes"]}
    assert (
        control["package-version"]["role"] == "root"
        and "another source" in control["package-version"]["summary"]
    )
    assert "build-dependencies" not in control  # Built-Using is equal
    for path in ("data.tar.xz/usr/share/app/conf", "data.tar.xz/usr/share/app/current"):
        got = [c for c in _node(tree, path)["causes"] if c["id"] not in ("file-mtime",)]
        assert [(c["id"], c["role"], c["because"]) for c in got] == [
            ("source-change", "consequence", "package-version")
        ]
    log = _node(tree, "data.tar.xz/usr/share/doc/app/changelog.Debian.gz")["causes"]
    entry = next(c for c in log if c["id"] == "package-version")
    assert (entry["evidence"][0]["a"], entry["evidence"][0]["b"]) == ("1.0-1", "1.1-1")
    clamp = next(c for c in _node(tree, "data.tar.xz")["causes"] if c["id"] == "file-mtime")
    assert clamp["because"] == "package-version"
    for t in (ea, eb):  # dpkg-parsechangelog's timestamps, as godet prints them
        assert _utc(t) in clamp["summary"]
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]
    assert tree["rollup"][0]["id"] == "package-version"  # the root that explains the most


@need_dpkg
@pytest.mark.parametrize("date", ["same", "build time"])
def test_what_names_the_release_follows_the_package_version(  # type: ignore[no-untyped-def]
    date: str, tmp_path: Path, gobuild_available
) -> None:
    """govarnam 1.9.0-2+b9 -> 1.9.1-2 (Debian, i386): Debian builds in a directory named after the
    upstream version (/build/reproducible-path/govarnam-1.9.0) and the package stamps its version
    with -X. Both differ only by naming the release: they follow the package version (they were
    roots: "fix: -trimpath"). A value that also holds the build time stays a root."""
    dates = ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z" if date == "same" else "2026-02-02T09:00:00Z")
    bins = [
        gobuild.build(
            gobuild.BuildSpec(
                "xvars", flags=(f"-ldflags=-X main.version={v} -X main.date={d}",), workdir=f"app-{v}"
            )
        )
        for v, d in zip(("1.0.3", "1.0.4"), dates, strict=True)
    ]
    for path, v in zip(bins, ("1.0.3", "1.0.4"), strict=True):
        assert f"/work/app-{v}/xvars/main.go".encode() in path.read_bytes()  # the build directory
        assert f"-X main.version={v}" in go_version_m(path)
    a, _ = build_deb(tmp_path / "a", "1.0.3-1", {"usr/bin/app": bins[0].read_bytes()}, ["1.0.3-1"], "golang")
    b, _ = build_deb(tmp_path / "b", "1.0.4-1", {"usr/bin/app": bins[1].read_bytes()}, ["1.0.4-1"], "golang")
    report = _node(tree := _diff(a, b), "data.tar.xz/usr/bin/app")["report"]
    validate(tree)
    causes = {(c["id"], c.get("key")): c for c in report["causes"]}
    roles = {k: (c["role"], c["because"]) for k, c in causes.items()}
    assert roles[("build-path", None)] == ("consequence", "package-version")
    assert roles[("ldflags-x", "main.version")] == ("consequence", "package-version")
    (pv,) = [c for (i, _), c in causes.items() if i == "package-version"]
    assert [(e["a"], e["b"]) for e in pv["evidence"]["items"]] == [("1.0.3", "1.0.4")]
    roots = {i for (i, _), c in causes.items() if c["role"] == "root"}
    if date == "same":
        assert roots == {"package-version"}
    else:
        assert roles[("ldflags-x", "main.date")] == ("root", None)
        assert roots == {"package-version", "ldflags-x"}


@need_dpkg
def test_same_version_unclamped_rebuild(tmp_path: Path) -> None:
    """The same version built twice, the second without SOURCE_DATE_EPOCH: times are a root, the
    unclamped side is named, and nothing is blamed on a version."""
    files = {"usr/share/app/conf": b"one\n"}
    a, epoch = build_deb(tmp_path / "a", "1.0-1", files, ["1.0-1"], "golang-1.22 (= 1.22.0-1)")
    b, _ = build_deb(tmp_path / "b", "1.0-1", files, ["1.0-1"], "golang-1.22 (= 1.22.0-1)", clamp=False)
    tree = _diff(a, b)
    causes = _causes(tree)
    assert {c["id"] for _, c in causes} <= {"file-mtime"}
    assert all(c["role"] == "root" for _, c in causes)
    data = " ".join(c["summary"] for c in _node(tree, "data.tar.xz")["causes"])
    assert f"B's file times are later than its latest changelog entry ({epoch})" in data


# ------------------------------------------------------------------ rpm

SPEC = """\
%define debug_package %{nil}
%define __os_install_post %{nil}
Name: app
Version: %{ver}
Release: 1
Summary: test
License: MIT
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/share/app
cp %{_sourcedir}/conf %{buildroot}/usr/share/app/conf
%files
/usr/share/app/conf
%changelog
"""


def build_rpm(tmp: Path, version: str, conf: bytes, host: str, repro: bool, log: list[str]) -> Path:
    top = tmp / f"top-{version}-{host}"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES/conf").write_bytes(conf)
    spec = top / "app.spec"
    spec.write_text(SPEC + "".join(f"* {d} Dev <dev@example.com> - {v}\n- release\n\n" for d, v in log))
    defs = [
        "--define",
        f"_topdir {top}",
        "--define",
        f"_sourcedir {top / 'SOURCES'}",
        "--define",
        f"ver {version}",
    ]
    defs += ["--define", f"_buildhost {host}"]
    if repro:
        defs += ["--define", "source_date_epoch_from_changelog 1"]
        defs += [
            "--define",
            "use_source_date_epoch_as_buildtime 1",
            "--define",
            "clamp_mtime_to_source_date_epoch 1",
        ]
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    r = subprocess.run(["rpmbuild", "-bb", *defs, str(spec)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return next((top / "RPMS").rglob("*.rpm"))


def _qf(rpm: Path, fmt: str) -> str:
    r = subprocess.run(
        ["rpm", "-qp", "--nosignature", "--queryformat", fmt, str(rpm)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


@need_rpm
def test_rpm_header_tags_match_rpm(tmp_path: Path) -> None:
    pkg = build_rpm(tmp_path, "1.0", b"one\n", "hostA", True, [("Mon Jan 01 2024", "1.0-1")])
    raw = pkg.read_bytes()
    sig_len = (
        16 + 16 * int.from_bytes(raw[96 + 8 : 96 + 12], "big") + int.from_bytes(raw[96 + 12 : 96 + 16], "big")
    )
    start = 96 + sig_len + (8 - sig_len % 8) % 8
    fields = rpm_header_fields(raw[start:])
    checked = 0
    for number, tag in RPM_TAGS.items():  # every tag number of the table, as rpm itself reads it
        want = _qf(pkg, f"[%{{{tag}}}\n]").rstrip("\n")
        if tag not in fields:  # absent here (rpm derives LONGSIZE from SIZE when absent)
            assert want in ("", "(none)") or (tag, want) == ("LONGSIZE", fields["SIZE"]), (number, tag, want)
            continue
        got = fields[tag]
        if tag in ("FILEMODES", "FILEFLAGS", "FILERDEVS", "FILEDEVICES", "FILEINODES", "DIRINDEXES"):
            got = "\n".join(got.split())  # integer arrays: one per line, as the query prints them
        elif tag in ("FILEMTIMES", "FILESIZES", "CHANGELOGTIME", "REQUIREFLAGS", "PROVIDEFLAGS"):
            got = "\n".join(got.split())
        if tag in ("FILEMODES", "FILERDEVS"):  # int16: rpm prints them signed
            want = "\n".join(str(int(x) & 0xFFFF) for x in want.split())
        assert got == want, (number, tag)
        checked += 1
    assert checked >= 30
    assert all(not k.startswith("TAG") for k in fields if k in ("NAME", "VERSION"))


@need_rpm
def test_rpm_build_stamp(tmp_path: Path) -> None:
    """One build with SOURCE_DATE_EPOCH from the changelog, one without: the build time and host are
    a root, the payload digests follow, the unclamped side is named."""
    log = [("Mon Jan 01 2024", "1.0-1")]
    a = build_rpm(tmp_path, "1.0", b"one\n", "repro", True, log)
    b = build_rpm(tmp_path, "1.0", b"one\n", "laptop", False, log)
    tree = _diff(a, b)
    header = {c["id"]: c for c in _node(tree, "[rpm header]")["causes"]}
    stamp = {e["label"]: (e["a"], e["b"]) for e in header["package-build-stamp"]["evidence"]}
    assert stamp["BUILDHOST"] == (_qf(a, "%{BUILDHOST}"), _qf(b, "%{BUILDHOST}"))
    if "BUILDTIME" in stamp:  # (equal only if both builds ran in the changelog's second)
        assert stamp["BUILDTIME"] == (_qf(a, "%{BUILDTIME}"), _qf(b, "%{BUILDTIME}"))
    assert header["package-metadata"]["role"] == "consequence"
    assert "package-version" not in header
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]
    epoch = _qf(a, "%{CHANGELOGTIME}")
    assert any(
        f"B's file times are later than its latest changelog entry ({epoch})" in c["summary"]
        for _, c in _causes(tree)
    )


@need_rpm
def test_rpm_new_version(tmp_path: Path) -> None:
    """Two versions, each built reproducibly from its changelog: the version is the root; the build
    time (SOURCE_DATE_EPOCH = the changelog date), the times and the lead follow it."""
    a = build_rpm(tmp_path, "1.0", b"one\n", "repro", True, [("Mon Jan 01 2024", "1.0-1")])
    b = build_rpm(
        tmp_path, "1.1", b"two\n", "repro", True, [("Tue Oct 01 2024", "1.1-1"), ("Mon Jan 01 2024", "1.0-1")]
    )
    tree = _diff(a, b)
    header = _node(tree, "[rpm header]")["causes"]
    root = next(c for c in header if c["id"] == "package-version" and c["role"] == "root")
    ev = {e["label"]: (e["a"], e["b"]) for e in root["evidence"]}
    assert ev["VERSION"] == (_qf(a, "%{VERSION}"), _qf(b, "%{VERSION}"))
    follows = {e["label"] for c in header if c["role"] == "consequence" for e in c["evidence"]}
    assert "BUILDTIME" in follows and "package-build-stamp" not in {c["id"] for c in header}
    conf = [c for c in _node(tree, "usr/share/app/conf")["causes"]]
    assert {(c["id"], c["because"]) for c in conf} == {
        ("file-mtime", "package-version"),
        ("source-change", "package-version"),
    }
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]


# ------------------------------------------------------------------ godet check on packages


def _check(pkg: Path) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    r = subprocess.run(
        [*godet_cmd(), "check", "--format", "json", "--fail-on", "warning", str(pkg)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    return r.returncode, json.loads(r.stdout)


def godet_cmd() -> list[str]:
    import sys

    return [sys.executable, "-m", "godet"]


def _package_result(out: dict[str, Any], pkg: Path) -> dict[str, Any]:
    return next(r for r in out["results"] if r["path"] == str(pkg))


@need_dpkg
def test_check_deb_times(tmp_path: Path) -> None:
    """GD611 fires on a .deb whose files are newer than its changelog, and not on one dpkg clamped."""
    files = {"usr/share/app/conf": b"one\n"}
    good, epoch = build_deb(tmp_path / "a", "1.0-1", files, ["1.0-1"], "golang-1.22 (= 1.22.0-1)")
    bad, _ = build_deb(tmp_path / "b", "1.0-1", files, ["1.0-1"], "golang-1.22 (= 1.22.0-1)", clamp=False)
    rc, out = _check(good)
    res = _package_result(out, good)
    assert rc == 0 and res["findings"] == [] and res["target"] == f"deb package app {_field(good, 'Version')}"
    rc, out = _check(bad)
    found = {f["rule"]: f for f in _package_result(out, bad)["findings"]}
    assert rc == 1 and set(found) == {"GD611"}
    assert found["GD611"]["evidence"]["epoch"] == epoch  # dpkg-parsechangelog's Timestamp
    assert "usr/share/app/conf" in " ".join(found["GD611"]["evidence"]["files"])


@need_rpm
def test_check_rpm_stamp(tmp_path: Path) -> None:
    """GD612 and GD611 fire on an .rpm built without SOURCE_DATE_EPOCH, not on a reproducible one."""
    log = [("Mon Jan 01 2024", "1.0-1")]
    good = build_rpm(tmp_path, "1.0", b"one\n", "repro", True, log)
    bad = build_rpm(tmp_path, "1.0", b"one\n", "laptop", False, log)
    rc, out = _check(good)
    assert rc == 0 and _package_result(out, good)["findings"] == []
    rc, out = _check(bad)
    found = {f["rule"]: f for f in _package_result(out, bad)["findings"]}
    assert rc == 1 and set(found) == {"GD611", "GD612"}
    assert found["GD612"]["evidence"]["BUILDTIME"] == int(_qf(bad, "%{BUILDTIME}"))
    assert found["GD612"]["evidence"]["BUILDHOST"] == _qf(bad, "%{BUILDHOST}")
    text = godet("check", "--fail-on", "never", str(bad)).stdout
    assert "0 errors, 2 warnings, 0 info in 1 package" in text  # a package, not "1 binaries"


# ------------------------------------------------------------------ wheels and renamed roots


def _wheel(tmp: Path, version: str, script: bytes, stamp: tuple[int, ...], method: int = 0) -> Path:
    """A wheel as bdist_wheel lays it out: NAME-VERSION.data/scripts, NAME-VERSION.dist-info with
    METADATA, WHEEL and a RECORD of urlsafe-base64 sha256 digests."""
    import base64
    import zipfile

    info, data = f"tool-{version}.dist-info", f"tool-{version}.data"
    files = {
        f"{data}/scripts/tool": script,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: tool\nVersion: {version}\n\nbody\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
    }

    def digest(b: bytes) -> str:
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()

    record = "".join(f"{n},{digest(b)},{len(b)}\n" for n, b in files.items()) + f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    out = tmp / f"tool-{version}-{method}-py3-none-any.whl"
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in files.items():
            zi = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            zi.external_attr = (0o755 if "/scripts/" in name else 0o644) << 16
            zi.compress_type = method
            zf.writestr(zi, body)
    return out


def test_wheels_of_two_versions(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    """Two releases of a wheel that ships the same Go binary: the versioned directories pair, the
    version is the root (read as email.parser reads METADATA), RECORD follows it."""
    import email.parser
    import zipfile

    binary = gobin("default").read_bytes()
    a = _wheel(tmp_path, "1.0.0", binary, (2024, 1, 1, 0, 0, 0))
    b = _wheel(tmp_path, "1.0.1", binary, (2024, 2, 1, 0, 0, 0))
    tree = _diff(a, b)
    assert tree["counts"]["only-a"] == tree["counts"]["only-b"] == 0
    script = _node(tree, "tool-1.0.0.data/scripts/tool ↔ tool-1.0.1.data/scripts/tool")
    assert {c["id"] for c in script["causes"]} == {"file-mtime"} and script["report"] is None  # same bytes
    meta = _node(tree, "tool-1.0.0.dist-info/METADATA ↔ tool-1.0.1.dist-info/METADATA")["causes"]
    root = next(c for c in meta if c["id"] == "package-version")
    versions = [
        email.parser.Parser().parsestr(zipfile.ZipFile(w).read(f"tool-{v}.dist-info/METADATA").decode())[
            "Version"
        ]
        for w, v in ((a, "1.0.0"), (b, "1.0.1"))
    ]
    assert (root["role"], root["evidence"]) == (
        "root",
        [{"label": "Version", "a": versions[0], "b": versions[1]}],
    )
    record = _node(tree, "tool-1.0.0.dist-info/RECORD ↔ tool-1.0.1.dist-info/RECORD")["causes"]
    follows = next(c for c in record if c["id"] == "package-metadata")
    assert [e["label"] for e in follows["evidence"]] == ["tool-1.0.0.dist-info/METADATA"]
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]


def test_wheels_that_store_an_entry_otherwise(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    """The same wheel written once stored and once deflated (as two wheel builders do): each entry's
    zip method is the cause, not a PAX record; the archive's bytes differ, its entries do not."""
    import zipfile

    binary = gobin("default").read_bytes()
    a = _wheel(tmp_path, "1.0.0", binary, (2024, 1, 1, 0, 0, 0), zipfile.ZIP_STORED)
    b = _wheel(tmp_path, "1.0.0", binary, (2024, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)
    methods = [{i.compress_type for i in zipfile.ZipFile(w).infolist()} for w in (a, b)]
    assert methods == [{zipfile.ZIP_STORED}, {zipfile.ZIP_DEFLATED}]
    tree = _diff(a, b)
    causes = _causes(tree)
    assert {c["id"] for _, c in causes} == {"compression-only"}
    script = _node(tree, "tool-1.0.0.data/scripts/tool")
    assert script["report"] is None  # the same bytes once inflated
    (cause,) = script["causes"]
    assert cause["evidence"] == [{"label": "zip method", "a": "stored", "b": "deflate"}]


def test_release_tarballs_with_versioned_roots(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """app-1.0/ against app-1.1/: the members pair under the renamed root and the Go binaries are
    compared (not listed as only in A / only in B)."""
    from containers.ociwriter import Entry, tar_bytes

    x, y = gopair("dirs")
    for side, root, binary in (("a", "app-1.0", x), ("b", "app-1.1", y)):
        entries = [
            Entry(f"{root}/bin/app", binary.read_bytes(), mode=0o755),
            Entry(f"{root}/README", b"app\n"),
        ]
        (tmp_path / f"{side}.tar").write_bytes(tar_bytes(entries))
    tree = _diff(tmp_path / "a.tar", tmp_path / "b.tar")
    assert tree["counts"]["only-a"] == tree["counts"]["only-b"] == 0
    app = _node(tree, "app-1.0/bin/app ↔ app-1.1/bin/app")
    assert app["kind"] == "binary" and app["report"]["causes"][0]["id"] == "build-path"
    # each side of the binaries' report is named by its own path, not by the pair's
    sides = (app["report"]["a"]["path"], app["report"]["b"]["path"])
    assert sides == ("A:app-1.0/bin/app", "B:app-1.1/bin/app")


def test_hostile_rpm_header_is_read_in_linear_time() -> None:
    """Thousands of index entries that all point at one 4 MB string without a NUL, or claim huge
    arrays: the reader stops at its budget instead of decoding the store once per entry."""
    store = b"x" * (4 << 20)
    entries = b"".join(
        (1100 + i).to_bytes(4, "big")
        + (8 if i % 2 else 4).to_bytes(4, "big")
        + (0).to_bytes(4, "big")
        + (2**31).to_bytes(4, "big")
        for i in range(4096)
    )
    blob = b"\x8e\xad\xe8\x01\x00\x00\x00\x00" + (4096).to_bytes(4, "big") + len(store).to_bytes(4, "big")
    fields = rpm_header_fields(blob + entries + store)  # unbounded, this decodes 16 GB
    assert fields and sum(len(v) for v in fields.values()) <= 3 * (len(store) + (1 << 20))


def _header(tags: list[tuple[int, int, bytes, int]]) -> bytes:
    """An rpm header from (tag, type, data, count) entries."""
    index, store = b"", b""
    for tag, typ, data, count in tags:
        index += b"".join(x.to_bytes(4, "big") for x in (tag, typ, len(store), count))
        store += data
    return (
        b"\x8e\xad\xe8\x01\x00\x00\x00\x00"
        + (len(tags)).to_bytes(4, "big")
        + len(store).to_bytes(4, "big")
        + index
        + store
    )


def test_hostile_rpm_times_fail_cleanly(tmp_path: Path) -> None:
    """Times no calendar holds (int64 CHANGELOGTIME and BUILDTIME): diff and check still answer."""
    import gzip as gz

    from sources.archives import cpio_newc

    def pkg(name: str, when: int) -> Path:
        main = _header(
            [
                (1000, 6, b"app\x00", 1),
                (1001, 6, b"1.0\x00", 1),
                (1002, 6, b"1\x00", 1),
                (1006, 5, when.to_bytes(8, "big"), 1),
                (1080, 5, (when + 1).to_bytes(8, "big"), 1),
            ]
        )
        lead = b"\xed\xab\xee\xdb\x03\x00" + b"\x00" * 90
        sig = _header([])
        out = tmp_path / name
        out.write_bytes(lead + sig + main + gz.compress(cpio_newc({"f": b"x"}, 5), mtime=0))
        return out

    a, b = pkg("a.rpm", 2**62), pkg("b.rpm", 2**63 - 2)
    r = godet("diff", "--format", "json", str(a), str(b))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    header = _node(json.loads(r.stdout), "[rpm header]")["causes"]
    assert {c["id"] for c in header} == {"package-build-stamp", "unexplained"}  # CHANGELOGTIME differs too
    r = godet("check", "--format", "json", "--fail-on", "never", str(b))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


@need_dpkg
def test_inspect_a_deb(tmp_path: Path, gobin) -> None:  # type: ignore[no-untyped-def]
    """inspect of a package: each Go binary carries what the package says (version, changelog epoch,
    Built-Using), valid against inspect.schema.json; a bare binary carries no package."""
    import jsonschema

    from containers.conftest import SCHEMAS

    using = "golang-1.22 (= 1.22.0-1)"
    pkg, epoch = build_deb(
        tmp_path, "1.0-1+b1", {"usr/bin/app": gobin("default").read_bytes()}, ["1.0-1"], using
    )
    r = godet("inspect", "--format", "json", str(pkg))
    assert r.returncode == 0, r.stderr
    facts = json.loads(r.stdout)
    jsonschema.validate(facts, json.loads((SCHEMAS / "inspect.schema.json").read_text()))
    [app] = facts
    assert app["package"] == {
        "format": "deb",
        "name": _field(pkg, "Package"),
        "version": _field(pkg, "Version"),
        "source_version": "1.0-1",
        "latest_changelog": {"version": "1.0-1+b1", "time": epoch},  # dpkg-parsechangelog's Timestamp
        "build_environment": {"Built-Using": _field(pkg, "Built-Using")},
        "build_stamp": {},
    }
    text = godet("inspect", str(pkg)).stdout
    assert (
        "package       deb app 1.0-1+b1 (source 1.0-1)" in text
        and f"{_utc(epoch)} (its SOURCE_DATE_EPOCH)" in text
    )
    bare = json.loads(godet("inspect", "--format", "json", str(gobin("default"))).stdout)
    assert "package" not in bare[0]


@need_dpkg
def test_kind_change_is_not_an_entry_order(tmp_path: Path) -> None:
    """dpkg-deb stores symlinks after files: a path that is a symlink in A and a file in B moves in
    the archive because of its kind, which is no entry-order cause."""
    using = "golang-1.22 (= 1.22.0-1)"
    a, _ = build_deb(
        tmp_path, "1.0-1", {"usr/share/app/b": b"b\n"}, ["1.0-1"], using, links={"usr/share/app/a": "b"}
    )
    b, _ = build_deb(
        tmp_path, "1.1-1", {"usr/share/app/a": b"a\n", "usr/share/app/b": b"b\n"}, ["1.1-1"], using
    )
    order = [
        subprocess.run(["dpkg-deb", "--fsys-tarfile", str(p)], capture_output=True).stdout for p in (a, b)
    ]
    import io
    import tarfile

    names = []
    for t in order:
        with tarfile.open(fileobj=io.BytesIO(t)) as tf:
            names.append([m.name for m in tf.getmembers()])
    assert names[0].index("./usr/share/app/a") > names[0].index("./usr/share/app/b")  # (dpkg-deb's order)
    assert names[1].index("./usr/share/app/a") < names[1].index("./usr/share/app/b")
    tree = _diff(a, b)
    assert "entry-order" not in {c["id"] for _, c in _causes(tree)}
    kind = _node(tree, "data.tar.xz/usr/share/app/a")["causes"]
    assert [(c["id"], c["role"]) for c in kind if c["id"] != "file-mtime"] == [
        ("source-change", "consequence")
    ]


@pytest.mark.skipif(not shutil.which("tar"), reason="GNU tar missing")
def test_tar_encoding_is_how_not_how_much(tmp_path: Path) -> None:
    """Two GNU tar archives of different contents end with different padding lengths and hold
    different entry counts: that is the content, not the encoding. Another header format is."""
    for side, files in (("a", {"x": b"1" * 10}), ("b", {"x": b"2" * 9000, "y": b"3" * 5000})):
        root = tmp_path / side / "app"
        root.mkdir(parents=True)
        for name, data in files.items():
            (root / name).write_bytes(data)
    env = {**os.environ, "TZ": "UTC"}

    def tar(side: str, fmt: str) -> Path:
        out = tmp_path / f"{side}-{fmt}.tar"
        cmd = [
            "tar",
            f"--format={fmt}",
            "--sort=name",
            "--mtime=@0",
            "-C",
            str(tmp_path / side),
            "-cf",
            str(out),
            "app",
        ]
        subprocess.run(cmd, check=True, env=env)
        return out

    tree = _diff(tar("a", "gnu"), tar("b", "gnu"))
    assert "tar-encoding" not in {c["id"] for _, c in _causes(tree)}
    tree = _diff(tar("a", "gnu"), tar("b", "posix"))
    [enc] = [c for c in tree["root"]["causes"] if c["id"] == "tar-encoding"]
    assert {e["label"]: (e["a"], e["b"]) for e in enc["evidence"]}["formats"] == ("gnu", "pax")


@pytest.mark.skipif(not shutil.which("npm"), reason="npm missing")
def test_npm_packages_of_two_versions(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """Two `npm pack` tarballs of a package shipping a Go binary (the esbuild layout): the manifest's
    version is the root, the binary gets its own diff, nothing stays unexplained."""
    x, y = gopair("dirs")
    tgz = []
    for version, binary in (("1.0.0", x), ("1.0.1", y)):
        root = tmp_path / version
        (root / "bin").mkdir(parents=True)
        shutil.copy(binary, root / "bin" / "app")
        manifest = {"name": "@example/app-linux-x64", "version": version, "os": ["linux"], "cpu": ["x64"]}
        (root / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
        r = subprocess.run(
            ["npm", "pack", "--json", "--pack-destination", str(tmp_path)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "npm_config_offline": "true", "npm_config_update_notifier": "false"},
        )
        assert r.returncode == 0, r.stderr
        tgz.append(tmp_path / json.loads(r.stdout)[0]["filename"])
    tree = _diff(*tgz)
    manifest = _node(tree, "package/package.json")["causes"]
    [root_cause] = [c for c in manifest if c["id"] == "package-version"]
    assert (root_cause["role"], root_cause["evidence"]) == (
        "root",
        [{"label": "version", "a": "1.0.0", "b": "1.0.1"}],
    )
    assert _node(tree, "package/bin/app")["report"]["causes"][0]["id"] == "build-path"
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]
    facts = json.loads(godet("inspect", "--format", "json", str(tgz[1])).stdout)
    assert facts[0]["package"]["format"] == "npm" and facts[0]["package"]["version"] == "1.0.1"


@pytest.mark.skipif(not shutil.which("tar"), reason="GNU tar missing")
def test_npm_tarball_whose_top_directory_is_not_package(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """The registry takes a tarball whose one top directory has another name than npm pack's
    package/ (npm strips it on install whatever it is): turbo-linux-64 1.10.0's members lie under
    turbo-linux-64/. Its manifest still names the version; with a second top directory the tarball
    is no npm package. Oracle: ``tar -tzf`` lists the members."""
    x, y = gopair("dirs")
    tgz = []
    for version, binary in (("1.0.0", x), ("1.0.1", y)):
        root = tmp_path / version / "app-linux-x64"
        (root / "bin").mkdir(parents=True)
        shutil.copy(binary, root / "bin" / "app")
        (root / "package.json").write_text(json.dumps({"name": "app-linux-x64", "version": version}) + "\n")
        out = tmp_path / f"app-linux-x64-{version}.tgz"
        subprocess.run(["tar", "-C", str(root.parent), "-czf", str(out), "app-linux-x64"], check=True)
        tgz.append(out)
    listed = subprocess.run(["tar", "-tzf", str(tgz[0])], capture_output=True, text=True, check=True).stdout
    assert {line.split("/", 1)[0] for line in listed.split()} == {"app-linux-x64"}
    tree = _diff(*tgz)
    manifest = _node(tree, "app-linux-x64/package.json")["causes"]
    [root_cause] = [c for c in manifest if c["id"] == "package-version"]
    assert root_cause["evidence"] == [{"label": "version", "a": "1.0.0", "b": "1.0.1"}]
    assert not [p for p, c in _causes(tree) if c["id"] == "unexplained"]
    (tmp_path / "1.0.1" / "other").mkdir()  # a second top directory: a plain tarball
    subprocess.run(
        ["tar", "-C", str(tmp_path / "1.0.1"), "-czf", str(tgz[1]), "app-linux-x64", "other"], check=True
    )
    tree = _diff(*tgz)
    assert "package-version" not in {c["id"] for _, c in _causes(tree)}


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="coreutils sha256sum missing")
def test_release_directories(tmp_path: Path, gopair) -> None:  # type: ignore[no-untyped-def]
    """Two release directories (goreleaser's dist/ shape): artifacts named by version pair up and are
    opened, and SHA256SUMS (written by coreutils sha256sum) follows them; a list whose digest is not
    its file's stays unexplained."""
    import tarfile

    x, y = gopair("dirs")
    for side, version, binary in (("a", "1.0.0", x), ("b", "1.0.1", y)):
        dist = tmp_path / side
        dist.mkdir()
        with tarfile.open(dist / f"app_{version}_linux_amd64.tar.gz", "w:gz") as tf:
            tf.add(binary, arcname="app")
        (dist / "README.md").write_text("app\n")
        sums = subprocess.run(
            ["sha256sum", f"app_{version}_linux_amd64.tar.gz", "README.md"],
            cwd=dist,
            capture_output=True,
            text=True,
        )
        (dist / "SHA256SUMS").write_text(sums.stdout)
    tree = _diff(tmp_path / "a", tmp_path / "b")
    assert tree["counts"]["only-a"] == tree["counts"]["only-b"] == 0
    app = _node(tree, "app_1.0.0_linux_amd64.tar.gz ↔ app_1.0.1_linux_amd64.tar.gz/app")
    assert app["report"]["causes"][0]["id"] == "build-path"
    [sums] = _node(tree, "SHA256SUMS")["causes"]
    assert (sums["id"], sums["role"]) == ("package-metadata", "consequence")
    listed = {
        side: dict(
            line.split("  ")[::-1] for line in (tmp_path / side / "SHA256SUMS").read_text().splitlines()
        )
        for side in "ab"
    }
    assert {e["label"]: (e["a"], e["b"]) for e in sums["evidence"]} == {
        "app_1.0.0_linux_amd64.tar.gz": (listed["a"]["app_1.0.0_linux_amd64.tar.gz"], None),
        "app_1.0.1_linux_amd64.tar.gz": (None, listed["b"]["app_1.0.1_linux_amd64.tar.gz"]),
    }
    forged = (tmp_path / "b" / "SHA256SUMS").read_text().replace(listed["b"]["README.md"], "0" * 64)
    (tmp_path / "b" / "SHA256SUMS").write_text(forged)
    tree = _diff(tmp_path / "a", tmp_path / "b")
    assert [c["id"] for c in _node(tree, "SHA256SUMS")["causes"]] == ["unexplained"]


@pytest.mark.parametrize(
    "version", ["1.30.0", "1.30.0.post18", "2.0.post1", "1.0rc1", "1.0rc1.post2", "3!1.2"]
)
def test_a_wheels_upstream_version_leaves_out_the_post_release(version: str) -> None:
    """sqlc 1.30.0.post18 is sqlc 1.30.0 repackaged (PEP 440 post release): the same software
    version for the binaries' model. Oracle: packaging's parse of the version."""
    from packaging.version import Version

    from godet.sources.pkgmeta import PackageMeta

    got = Version(PackageMeta("wheel", "x", version, version).upstream_version)
    want = Version(version)
    assert got.post is None
    assert (got.epoch, got.release, got.pre, got.dev) == (want.epoch, want.release, want.pre, want.dev)


@pytest.mark.parametrize(
    ("version", "upstream"),
    [
        ("1.9.0-2", "1.9.0"),
        ("2:1.9.0-2", "1.9.0"),
        ("1.15", "1.15"),
        ("0.0~git2023-1.2-3", "0.0~git2023-1.2"),
    ],
)
def test_a_debs_upstream_version(version: str, upstream: str) -> None:
    """Debian policy 5.6.12: [epoch:]upstream_version[-debian_revision], the revision after the last
    hyphen (a native package has none); Debian builds in <source>-<upstream_version>."""
    from godet.sources.pkgmeta import PackageMeta

    assert PackageMeta("deb", "x", version + "+b1", version).upstream_version == upstream


_DEP_A = """// Package dep is a local dependency.
package dep

// Version is the dependency's release.
const Version = "1.0.0"

// Greeting returns a message naming the dependency version.
//
//go:noinline
func Greeting() string {
\treturn "example.com/dep version " + Version
}
"""
_DEP_B = _DEP_A.replace(  # other code, the same strings
    'return "example.com/dep version " + Version\n}',
    'b := []byte("example.com/dep version " + Version)\n\tfor i := range b {\n\t\tif b[i] == 35 {\n'
    "\t\t\tb[i] = 45\n\t\t}\n\t}\n\treturn string(b)\n}",
)


@need_dpkg
@pytest.mark.parametrize("changed", ["library", "program"])
def test_a_new_revision_against_other_libraries(changed: str, tmp_path: Path, gobuild_available) -> None:  # type: ignore[no-untyped-def]
    """gh 2.46.0-3 -> 2.46.0-4 and syncthing 1.29.5~ds1-2 -> -5 (Debian): one upstream version in two
    revisions of its packaging, built against other library versions (Static-Built-Using). Every
    changed function lay in the libraries (golang.org/x/text, protobuf, mimetype; quic-go's methods
    promoted into syncthing's types), yet they were source-change roots: they follow the libraries.
    The program's own code changed by a revision's patch stays the source's."""
    edits_b = (
        (("dep/dep.go", _DEP_B),)
        if changed == "library"
        else (
            ("dep/dep.go", _DEP_A),
            (
                "main.go",
                (gobuild.TESTDATA / "withdep/main.go").read_text().replace("fmt.Println(", "fmt.Print("),
            ),
        )
    )
    bins = gobuild.build_pair(
        gobuild.BuildSpec("withdep", flags=("-trimpath",), edits=(("dep/dep.go", _DEP_A),)),
        gobuild.BuildSpec("withdep", flags=("-trimpath",), edits=edits_b),
    )
    assert go_version_m(bins[0]).splitlines()[1].split("\t")[-1] == "example.com/withdep"  # the main package
    libs = ("golang-example-dep (= 1.0-1)", "golang-example-dep (= 1.1-1)")
    a, _ = build_deb(tmp_path / "a", "1.0-1", {"usr/bin/app": bins[0].read_bytes()}, ["1.0-1"], libs[0])
    b, _ = build_deb(
        tmp_path / "b", "1.0-2", {"usr/bin/app": bins[1].read_bytes()}, ["1.0-2", "1.0-1"], libs[1]
    )
    report = _node(tree := _diff(a, b), "data.tar.xz/usr/bin/app")["report"]
    validate(tree)
    sc = [c for c in report["causes"] if c["id"] == "source-change"]
    assert sc
    if changed == "library":
        assert all((c["role"], c["because"]) == ("consequence", "build-dependencies") for c in sc)
        (bd,) = [c for c in report["causes"] if c["id"] == "build-dependencies"]
        assert bd["role"] == "root" and "one upstream version (1.0)" in bd["summary"]
    else:
        assert any(c["role"] == "root" for c in sc)
