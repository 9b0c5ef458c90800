"""Which flags or settings remove each root cause, as data: cause id → :class:`Remedy`.

The cause catalog (``godet.explain.causes``) stays the source of ids, titles and fixes; this table
only says what ``godet rebuild`` can *apply* when it verifies its suggestion. A cause without a
flag gets advice only (the catalog's fix, or the text here).
"""

from __future__ import annotations

from dataclasses import dataclass

from godet.explain.causes import CAUSES

FIXED_EPOCH = "1700000000"  # SOURCE_DATE_EPOCH the verification uses when the user has none


@dataclass(frozen=True)
class Remedy:
    """What removes a cause: go build flags, environment to pin, and advice for the user."""

    flags: tuple[str, ...] = ()
    env: tuple[str, ...] = ()  # variable names to pin (values chosen by :func:`pinned_value`)
    advice: str = ""  # "" = the catalog's fix


TRIMPATH = Remedy(flags=("-trimpath",))
NO_VCS = Remedy(flags=("-buildvcs=false",))

REMEDIES: dict[str, Remedy] = {
    "build-path": TRIMPATH,
    "goroot-path": TRIMPATH,
    "module-cache-path": TRIMPATH,
    "vcs-revision": NO_VCS,
    "vcs-time": NO_VCS,
    "vcs-modified": NO_VCS,
    "vcs-stamping": NO_VCS,
    "go-build-id": Remedy(flags=("-ldflags=-buildid=",)),
    "embedded-timestamp": Remedy(
        env=("SOURCE_DATE_EPOCH",),
        advice="Set SOURCE_DATE_EPOCH (the C compiler then uses it for __DATE__/__TIME__), or fix the "
        "generator or script that embeds the build time.",
    ),
    "ldflags-x": Remedy(
        advice="A -X value is computed at build time; derive it from the commit "
        "(git log -1 --format=%cI) or SOURCE_DATE_EPOCH. No go flag removes it."
    ),
    "cgo-flags": Remedy(advice="Set CC and CGO_*FLAGS explicitly in the build script (or CGO_ENABLED=0)."),
    "c-toolchain": Remedy(advice="Set CC explicitly in the build script, or build with CGO_ENABLED=0."),
    "arch-level": Remedy(advice="Set GOAMD64 (GOARM64, …) explicitly in the build script."),
    "build-setting": Remedy(advice="Put every flag in the build script, not in a developer's GOFLAGS."),
}


def remedy(cause_id: str) -> Remedy:
    """The remedy of ``cause_id``; advice alone (the catalog fix) when no flag removes it."""
    return REMEDIES.get(cause_id, Remedy())


def advice(cause_id: str) -> str:
    """What to tell the user about ``cause_id``."""
    r = remedy(cause_id)
    if r.advice:
        return r.advice
    c = CAUSES.get(cause_id)
    return c.fix if c else ""


def pinned_value(name: str, user_env: dict[str, str]) -> str:
    """The value a pinned variable gets: the user's own, else a fixed one."""
    if user_env.get(name):
        return user_env[name]
    return FIXED_EPOCH if name == "SOURCE_DATE_EPOCH" else ""


def merge_flags(base: tuple[str, ...], extra: tuple[str, ...]) -> tuple[str, ...]:
    """``base`` + ``extra`` go build flags, with every -ldflags merged into one (go keeps only the last)."""
    out: list[str] = []
    ld: list[str] = []
    items = [*base, *extra]
    i = 0
    while i < len(items):
        f = items[i]
        if f in ("-ldflags", "--ldflags") and i + 1 < len(items):
            ld.append(items[i + 1])
            i += 2
            continue
        if f.startswith(("-ldflags=", "--ldflags=")):
            ld.append(f.partition("=")[2])
        elif f not in out or not f.startswith("-"):
            out.append(f)
        i += 1
    parts = [p for p in ld if p]
    if ld:
        out.append("-ldflags=" + " ".join(dict.fromkeys(parts)))
    return tuple(out)
