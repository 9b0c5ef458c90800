"""The variations ``godet rebuild`` tries, declared as data: one record per variation.

A build is described by a :class:`Setup`; the control build uses ``Setup()``. A variation is the
setup of its varied build (everything else as in the control), the programs it needs and a test
that says why it cannot run here. Values may name ``{root}``, the run's private directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

# Variables the "environment" variation clears: the user's C toolchain and Go settings.
ENV_VARS = (
    "CC",
    "CXX",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_FFLAGS",
    "CGO_LDFLAGS",
    "GOFLAGS",
    "GOAMD64",
    "GOARM64",
    "GOEXPERIMENT",
)
FAKETIME_SHIFT = "+400d"  # the clock of the varied build: 400 days ahead (a different day, month and year)


@dataclass(frozen=True)
class Setup:
    """How one build is made; the control build is ``Setup()``.

    ``dir``: the build directory under the run root ("src" is the control's, shared); ``env`` set
    and ``unset`` removed on top of the control environment; ``umask``; ``vcs``: "same" (as the
    source: a clean private repository when the source is in git), "dirty", "absent" or "present";
    ``cache``: "cold" (a private cache) or "warm" (a copy of the first control build's cache);
    ``flags`` more go build flags; ``wrapper`` a command prefix; ``go`` another go command.
    """

    dir: str = "src"
    env: tuple[tuple[str, str], ...] = ()
    unset: tuple[str, ...] = ()
    umask: int | None = None
    vcs: str = "same"
    cache: str = "cold"
    flags: tuple[str, ...] = ()
    wrapper: tuple[str, ...] = ()
    go: str | None = None

    def shares_dir(self) -> bool:
        """True when the build runs in the control's directory (such builds run one at a time)."""
        return self.dir == "src"


@dataclass(frozen=True)
class Host:
    """What the variations need to know about the user's side."""

    env: dict[str, str] = field(default_factory=dict)
    umask: int = 0o022
    in_git: bool = False
    tools: frozenset[str] = frozenset()  # programs found on PATH


@dataclass(frozen=True)
class Variation:
    """One variation: its name, what it changes, the varied build's setup, and when it cannot run."""

    name: str
    title: str
    what: str
    setup: Callable[[Host], Setup]
    needs: tuple[str, ...] = ()
    unavailable: Callable[[Host], str | None] = lambda _h: None
    on_request: bool = False  # only with --vary NAME

    def skip_reason(self, host: Host) -> str | None:
        """Why this variation cannot run here, or None."""
        for tool in self.needs:
            if tool not in host.tools:
                return f"{tool} is not installed"
        return self.unavailable(host)


def _other_umask(h: Host) -> Setup:
    return Setup(umask=0o077 if h.umask != 0o077 else 0o022)


def _other_tz(h: Host) -> Setup:
    tz = "Pacific/Kiritimati" if h.env.get("TZ") != "Pacific/Kiritimati" else "America/Adak"
    loc = "tr_TR.UTF-8" if h.env.get("LC_ALL") != "tr_TR.UTF-8" else "C.UTF-8"
    return Setup(env=(("TZ", tz), ("LC_ALL", loc), ("LANG", loc)))


def _user_env(h: Host) -> list[str]:
    return [k for k in ENV_VARS if h.env.get(k)]


def _no_user_env(h: Host) -> str | None:
    return None if _user_env(h) else "none of " + ", ".join(ENV_VARS[:8]) + ", … is set in your environment"


def _vcs_absent(h: Host) -> Setup:
    return Setup(vcs="absent" if h.in_git else "present")


def _needs_git_tree(h: Host) -> str | None:
    return None if h.in_git else "the source is not in a git work tree"


VARIATIONS: tuple[Variation, ...] = (
    Variation(
        "build-dir",
        "Build directory",
        "the copy sits in another directory, with a longer path",
        lambda _h: Setup(dir="elsewhere/a/much/longer/build/directory"),
    ),
    Variation(
        "gocache",
        "GOCACHE warm vs cold",
        "GOCACHE is a copy of the first control build's cache instead of an empty one",
        lambda _h: Setup(cache="warm"),
    ),
    Variation(
        "gopath",
        "GOPATH and GOMODCACHE location",
        "GOPATH and GOMODCACHE point to another directory",
        lambda _h: Setup(
            env=(("GOPATH", "{root}/other/gopath"), ("GOMODCACHE", "{root}/other/gopath/pkg/mod"))
        ),
    ),
    Variation(
        "home",
        "HOME and user",
        "HOME is another directory and USER/LOGNAME another name",
        lambda _h: Setup(
            env=(("HOME", "{root}/other/home"), ("USER", "godetother"), ("LOGNAME", "godetother"))
        ),
    ),
    Variation(
        "time",
        "Clock",
        f"the build (and every script or C compiler it runs) sees a clock {FAKETIME_SHIFT[1:]} ahead "
        "(faketime); SOURCE_DATE_EPOCH as in the control",
        lambda _h: Setup(wrapper=("faketime", "-f", FAKETIME_SHIFT)),
        needs=("faketime",),
    ),
    Variation(
        "tz-locale",
        "Time zone and locale",
        "TZ, LANG and LC_ALL set to another zone and locale",
        _other_tz,
    ),
    Variation("umask", "umask", "another umask (077 or 022)", _other_umask),
    Variation(
        "parallelism",
        "Build parallelism",
        "go build -p 1 instead of one job per core",
        lambda _h: Setup(flags=("-p=1",)),
    ),
    Variation(
        "environment",
        "C toolchain and Go environment",
        "CC, CGO_*FLAGS, GOFLAGS, GOAMD64… unset instead of as in your environment",
        lambda h: Setup(unset=tuple(_user_env(h))),
        unavailable=_no_user_env,
    ),
    Variation(
        "vcs-dirty",
        "VCS state: dirty tree",
        "an untracked file in the work tree (a dirty checkout)",
        lambda _h: Setup(vcs="dirty"),
        needs=("git",),
        unavailable=_needs_git_tree,
    ),
    Variation(
        "vcs-absent",
        "VCS state: .git absent",
        "the copy without .git (or with one, when the source has none)",
        _vcs_absent,
        needs=("git",),
    ),
)


def toolchain_variation(go: str) -> Variation:
    """``--vary toolchain=PATH``: the varied build uses another installed go command."""
    return Variation(
        "toolchain",
        "Go toolchain",
        f"the go command {go} instead of the control's",
        lambda _h: Setup(go=go, unset=("GOROOT",)),  # the other go finds its own GOROOT
        on_request=True,
    )


def by_name() -> dict[str, Variation]:
    """The declared variations by name."""
    return {v.name: v for v in VARIATIONS}


def select(names: list[str] | None) -> list[Variation]:
    """The variations ``--vary`` names (``toolchain=PATH`` included); every default one for None.

    Raises ValueError naming an unknown variation.
    """
    if not names:
        return [v for v in VARIATIONS if not v.on_request]
    known = by_name()
    out: list[Variation] = []
    for n in names:
        if n.startswith("toolchain="):
            if not n.partition("=")[2]:
                raise ValueError("toolchain= needs the path of another go command")
            out.append(toolchain_variation(n.partition("=")[2]))
        elif n in known:
            out.append(known[n])
        else:
            raise ValueError(f"unknown variation {n!r} (known: {', '.join([*known, 'toolchain=PATH'])})")
    return out


def with_flags(setup: Setup, flags: tuple[str, ...], env: tuple[tuple[str, str], ...]) -> Setup:
    """``setup`` with more build flags and environment (the verification of a suggestion)."""
    return replace(setup, flags=(*flags, *setup.flags), env=(*env, *setup.env))
