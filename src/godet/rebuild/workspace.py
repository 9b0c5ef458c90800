"""Private copies of the module and private environments for each build.

Nothing here writes outside the run's temporary root: the user's tree is only read (its file
list from git when it is a work tree), and the user's module cache is only read, as a file://
proxy in front of GOPROXY.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from godet.errors import GodetError
from godet.rebuild.variations import Setup

SKIP_DIRS = {".git", ".hg", ".svn", ".bzr"}
GIT_DATE = "2023-11-14T22:13:20+00:00"  # the private repository's commit date (fixed)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "godet rebuild",
    "GIT_AUTHOR_EMAIL": "rebuild@godet.invalid",
    "GIT_COMMITTER_NAME": "godet rebuild",
    "GIT_COMMITTER_EMAIL": "rebuild@godet.invalid",
    "GIT_AUTHOR_DATE": GIT_DATE,
    "GIT_COMMITTER_DATE": GIT_DATE,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Set by godet for every build (the rest of the environment is the user's).
PRIVATE = ("GOCACHE", "GOTMPDIR", "HOME", "GOPATH", "GOMODCACHE", "GOTOOLCHAIN")


@dataclass(frozen=True)
class Source:
    """What to build: the module root, the package inside it, and whether it is in a git work tree."""

    module_root: Path
    package: str  # "." or "./cmd/app"
    in_git: bool
    script: str | None = None  # a build script, relative to the module root

    @property
    def name(self) -> str:
        return self.module_root.name


def find_source(target: str, script: str | None = None) -> Source:
    """The module and package of ``target`` (a directory or a ./relative package path)."""
    p = Path(target).resolve()
    if not p.is_dir():
        raise GodetError(target, "no such package directory")
    root = next((d for d in (p, *p.parents) if (d / "go.mod").is_file()), None)
    if root is None:
        raise GodetError(target, "not inside a Go module (no go.mod above it)")
    rel = p.relative_to(root).as_posix()
    if script is not None:
        s = Path(script)
        s = s if s.is_absolute() else Path.cwd() / s
        if not s.resolve().is_file() or not s.resolve().is_relative_to(root):
            raise GodetError(script, "the build script must be a file inside the module")
        script = s.resolve().relative_to(root).as_posix()
    return Source(root, "." if rel == "." else "./" + rel, _in_git(root), script)


def _in_git(root: Path) -> bool:
    if shutil.which("git") is None:
        return False
    r = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return r.returncode == 0 and r.stdout.strip() == "true"


def source_files(src: Source) -> list[str]:
    """The module's files to copy: git's tracked and untracked-but-not-ignored ones, else every file."""
    if src.in_git:
        r = subprocess.run(
            ["git", "-C", str(src.module_root), "ls-files", "-z", "-co", "--exclude-standard", "."],
            capture_output=True,
            check=False,
        )
        if r.returncode == 0:
            names = [n.decode("utf-8", "surrogateescape") for n in r.stdout.split(b"\0") if n]
            return [n for n in names if (src.module_root / n).is_file() or (src.module_root / n).is_symlink()]
    out = []
    for d, dirs, files in os.walk(src.module_root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
        out += [os.path.relpath(os.path.join(d, f), src.module_root) for f in sorted(files)]
    return out


def _git(args: list[str], cwd: Path) -> None:
    r = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **GIT_ENV},
    )
    if r.returncode != 0:
        raise GodetError(str(cwd), f"git {args[0]} failed: {r.stderr.strip()[:200]}")


def make_repo(work: Path) -> None:
    """A private git repository in ``work`` with everything committed (fixed identity and date)."""
    _git(["init", "-q"], work)
    _git(["add", "-A"], work)
    _git(["commit", "-q", "--no-verify", "-m", "godet rebuild copy"], work)


def make_pristine(src: Source, dest: Path) -> None:
    """Copy the module to ``dest`` once; a clean private repository when the source is in git."""
    for rel in source_files(src):
        s, d = src.module_root / rel, dest / rel
        d.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(s, d, follow_symlinks=False)
    dest.mkdir(parents=True, exist_ok=True)
    if src.in_git:
        make_repo(dest)


UNTRACKED = "godet-rebuild-untracked.txt"


def place_copy(pristine: Path, work: Path, vcs: str) -> None:
    """Put a fresh copy of ``pristine`` at ``work`` in the VCS state ``vcs`` names."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(
        pristine, work, symlinks=True, ignore=shutil.ignore_patterns(".git") if vcs == "absent" else None
    )
    if vcs == "dirty":
        (work / UNTRACKED).write_text("a file git does not track\n")
    elif vcs == "present":
        make_repo(work)


def outside_vcs(root: Path) -> Path | None:
    """The repository ``root`` would be stamped with (a VCS directory above it), or None."""
    for parent in root.parents:
        if any((parent / m).exists() for m in SKIP_DIRS):
            return parent
    return None


def build_env(
    base: dict[str, str], setup: Setup, root: Path, private: Path, go: str, user_modcache: str | None
) -> dict[str, str]:
    """The environment of one build: the user's, godet's private locations, then the variation."""
    env = dict(base)
    env.update(
        {
            "GOTOOLCHAIN": "local",
            "GOCACHE": str(private / "cache"),
            "GOTMPDIR": str(private / "tmp"),
            "HOME": str(root / "home"),
            "GOPATH": str(root / "gopath"),
            "GOMODCACHE": str(root / "gopath" / "pkg" / "mod"),
            "GOFLAGS": " ".join(x for x in (base.get("GOFLAGS", ""), "-modcacherw") if x),
            "PATH": os.pathsep.join(x for x in (str(Path(go).parent), base.get("PATH", "")) if x),
        }
    )
    if user_modcache and os.path.isdir(os.path.join(user_modcache, "cache", "download")):
        proxy = Path(user_modcache, "cache", "download").as_uri()
        env["GOPROXY"] = f"{proxy},{base.get('GOPROXY') or 'https://proxy.golang.org,direct'}"
    for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME"):  # go's config and cache dirs follow HOME
        env.pop(k, None)
    for k, v in setup.env:
        env[k] = v.replace("{root}", str(root))
    for k in setup.unset:
        if k == "GOFLAGS":
            env["GOFLAGS"] = "-modcacherw"
        else:
            env.pop(k, None)
    return env
