"""Extra fixture binaries for the check rules (built with tests/gobuild.py, cached like the others).

Not a conftest.py: a second module named ``conftest`` would shadow tests/conftest.py for the test
modules that ``from conftest import ...``. Test modules import the ``checkbin`` fixture from here.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import gobuild
from gobuild import CACHE_ROOT, TESTDATA, BuildSpec

T = "-trimpath"
CGO0 = (("CGO_ENABLED", "0"),)
DARWIN_ARM64 = (("GOOS", "darwin"), ("GOARCH", "arm64"), ("CGO_ENABLED", "0"))
X_DATE = "2026-11-20T10:00:00Z"
DEVEL_VERSION = "devel go1.28-a1b2c3d4e5"
IDENTITY_HOST = "ci-runner-7"
IDENTITY_USER = "alice@laptop"
HOME_INCLUDE = "/home/alice/include"

# a local module proxy (GOPROXY=file://...) that serves one dependency, so that it lands in the module cache
PROXY = CACHE_ROOT / "check-goproxy"
DEP_PATH, DEP_VERSION = "example.com/cachedep", "v1.0.0"
DEP_MOD = f"module {DEP_PATH}\n\ngo 1.21\n"
DEP_SRC = 'package cachedep\n\nfunc Hello() string { return "from the module cache" }\n'
MODCACHE_EDITS = (
    ("go.mod", f"module example.com/hello\n\ngo 1.21\n\nrequire {DEP_PATH} {DEP_VERSION}\n"),
    ("main.go", f'package main\n\nimport (\n\t"fmt"\n\n\t"{DEP_PATH}"\n)\n\n'
                "func main() { fmt.Println(cachedep.Hello()) }\n"),
)
MODCACHE_ENV = (("GOPROXY", f"file://{PROXY}"), ("CGO_ENABLED", "0"))


def _identity_main() -> str:
    """testdata/xvars/main.go with two more -X variables, named like a host and a user."""
    src = (TESTDATA / "xvars" / "main.go").read_text()
    src = src.replace("var version, date, commit string",
                      "var version, date, commit, buildHost, builtBy string")
    src = src.replace('fmt.Printf("version=%s date=%s commit=%s\\n", version, date, commit)',
                      'fmt.Printf("version=%s date=%s commit=%s host=%s by=%s\\n", version, date, commit, '
                      "buildHost, builtBy)")
    if "buildHost, builtBy)" not in src:
        raise ValueError("testdata/xvars/main.go changed; update _identity_main")
    return src


IDENTITY_FLAGS = (f"-ldflags=-X main.buildHost={IDENTITY_HOST} -X main.builtBy={IDENTITY_USER} "
                  "-X main.version=1.2.3")
IDENTITY_EDITS = (("main.go", _identity_main()),)

def _var_date_main() -> str:
    """xvars with a package-level string variable the source sets to a time (not an -X value)."""
    return (
        "// Command xvars prints variables meant to be set with -ldflags -X.\n"
        "package main\n\n"
        'import "fmt"\n\n'
        "var version, date, commit string\n\n"
        'var cutoff = "2024-11-30T23:59:59Z"\n\n'
        "func main() {\n"
        '\tfmt.Printf("version=%s date=%s commit=%s cutoff=%s\\n", version, date, commit, cutoff)\n'
        "}\n"
    )


def _help_date_main() -> str:
    """xvars with a usage line that quotes an example time (as restic's backup --time help does)."""
    return (
        "// Command xvars prints variables meant to be set with -ldflags -X.\n"
        "package main\n\n"
        'import (\n\t"fmt"\n\t"os"\n)\n\n'
        "var version, date, commit string\n\n"
        "func main() {\n"
        "\tif len(os.Args) > 1 {\n"
        '\t\tfmt.Println("--time string  `time` of the backup "+\n'
        '\t\t\t"(ex. \'2012-11-01 22:08:41\') (default: now)")\n'
        "\t}\n"
        '\tfmt.Printf("version=%s date=%s commit=%s\\n", version, date, commit)\n'
        "}\n"
    )


#: name -> spec of the extra binaries these tests need.
CHECK_FIXTURES: dict[str, BuildSpec] = {
    # -X values read from buildinfo (no -trimpath)
    "x_version": BuildSpec("xvars", flags=("-ldflags=-X main.version=1.2.3",)),
    "x_identity": BuildSpec("xvars", flags=(IDENTITY_FLAGS,), edits=IDENTITY_EDITS),
    # goreleaser's default -ldflags name the tool as the builder
    "x_goreleaser": BuildSpec(
        "xvars", flags=("-ldflags=-X main.builtBy=goreleaser -X main.version=1.2.3",), edits=IDENTITY_EDITS
    ),
    # -trimpath hides -ldflags: values recovered from NAME.str symbols
    "x_symbols": BuildSpec("xvars", flags=(T, f"-ldflags=-X main.date={X_DATE} -X main.version=1.2.3")),
    "x_symbols_version": BuildSpec("xvars", flags=(T, "-ldflags=-X main.version=1.2.3")),
    "x_identity_symbols": BuildSpec("xvars", flags=(T, IDENTITY_FLAGS), edits=IDENTITY_EDITS),
    # -trimpath and -s: only read-only data is left
    "x_rodata": BuildSpec("xvars", flags=(T, f"-ldflags=-s -w -X main.date={X_DATE}")),
    "x_rodata_version": BuildSpec("xvars", flags=(T, "-ldflags=-s -w -X main.version=1.2.3")),
    # a date inside a help text (restic's "(ex. '2012-11-01 22:08:41')"): a literal, not a stamp
    "x_rodata_help_date": BuildSpec("xvars", flags=(T, "-ldflags=-s -w -X main.version=1.2.3"),
                                    edits=(("main.go", _help_date_main()),)),
    # a time the source assigns to a variable (caddy's dependencies: certificate cut-off dates): a
    # literal, which its own string header covers exactly as an -X value's would
    "x_rodata_var_date": BuildSpec("xvars", flags=(T, "-ldflags=-s -w -X main.version=1.2.3"),
                                   edits=(("main.go", _var_date_main()),)),
    # macOS with an empty Go build ID: no LC_UUID
    # (Go 1.27 hashes the output into LC_UUID when the build ID is empty; Go 1.24-1.26 wrote none)
    "darwin_buildid_empty": BuildSpec("hello", env=DARWIN_ARM64, flags=("-ldflags=-buildid=",)),
    "darwin_buildid_empty_go124": BuildSpec("hello", env=DARWIN_ARM64, flags=("-ldflags=-buildid=",),
                                            toolchain="1.24.11"),
    "darwin_hardened": BuildSpec("hello", env=DARWIN_ARM64, flags=(T, "-buildvcs=false", "-ldflags=-s -w")),
    # cgo with a CGO_CFLAGS prefix map that undoes cmd/go's $WORK mapping: /tmp/go-buildNNN leaks
    "cgo_work": BuildSpec("cgoc", env=(("CGO_ENABLED", "1"), ("GOTMPDIR", "/tmp"),
                                       ("CGO_CFLAGS", "-g -O2 -ffile-prefix-map=/tmp/=/tmp/"))),
    # a dependency from the module cache, with and without -trimpath
    "modcache": BuildSpec("hello", edits=MODCACHE_EDITS, env=MODCACHE_ENV),
    "modcache_trimpath": BuildSpec("hello", flags=(T,), edits=MODCACHE_EDITS, env=MODCACHE_ENV),
    # a home directory in CGO_CFLAGS (recorded in buildinfo without -trimpath)
    "home": BuildSpec("hello", env=(("CGO_ENABLED", "1"), ("CGO_CFLAGS", f"-O2 -I{HOME_INCLUDE}"))),
    # the linker lets -X override runtime.buildVersion, which buildinfo records as the Go version
    "devel": BuildSpec("hello", env=CGO0, flags=(T, f"-ldflags=-X 'runtime.buildVersion={DEVEL_VERSION}'")),
    # the linker's buildinfo blob removed after the link (objcopy), as some releases ship
    "buildinfo_removed": BuildSpec("hello", env=CGO0, flags=(T,)),
}
# fixtures edited after the build: name -> the command run on a copy (the built file is its last argument)
POST_LINK = {"buildinfo_removed": ("objcopy", "--remove-section", ".go.buildinfo")}


def _write_if_changed(p: Path, data: bytes) -> None:
    if not p.is_file() or p.read_bytes() != data:
        tmp = p.with_name(f".{p.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, p)


def ensure_proxy() -> Path:
    """Write the file:// module proxy serving example.com/cachedep v1.0.0 (deterministic zip)."""
    with gobuild.file_lock(CACHE_ROOT / "locks" / "check-goproxy.lock"):
        d = PROXY / DEP_PATH / "@v"
        d.mkdir(parents=True, exist_ok=True)
        _write_if_changed(d / "list", f"{DEP_VERSION}\n".encode())
        info = {"Version": DEP_VERSION, "Time": "2026-01-01T00:00:00Z"}
        _write_if_changed(d / f"{DEP_VERSION}.info", json.dumps(info).encode())
        _write_if_changed(d / f"{DEP_VERSION}.mod", DEP_MOD.encode())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for name, text in (("go.mod", DEP_MOD), ("dep.go", DEP_SRC)):
                z.writestr(zipfile.ZipInfo(f"{DEP_PATH}@{DEP_VERSION}/{name}", (2026, 1, 1, 0, 0, 0)), text)
        _write_if_changed(d / f"{DEP_VERSION}.zip", buf.getvalue())
    return PROXY


def build_check_fixture(name: str) -> Path:
    """Build (or take from the cache) the extra fixture ``name``."""
    spec = CHECK_FIXTURES[name]
    if spec.envdict().get("GOPROXY", "").startswith("file://"):
        ensure_proxy()
    built = gobuild.build(spec)
    if name not in POST_LINK:
        return built
    out = built.with_name(f"{built.name}.{name}")
    if not out.is_file():
        tmp = out.with_name(f".{out.name}.{os.getpid()}")
        shutil.copyfile(built, tmp)
        subprocess.run([*POST_LINK[name], str(tmp)], check=True)
        os.replace(tmp, out)
    return out


@pytest.fixture(scope="session")
def checkbin(gobuild_available: gobuild.Toolchain) -> Callable[[str], Path]:
    """Factory: ``checkbin(name)`` builds the extra fixture ``name`` of CHECK_FIXTURES."""

    def get(name: str) -> Path:
        if name not in CHECK_FIXTURES:
            raise KeyError(f"unknown check fixture {name!r}; known: {sorted(CHECK_FIXTURES)}")
        return build_check_fixture(name)

    return get
