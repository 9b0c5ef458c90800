"""The check rule registry: every rule has a stable code, a name, a default level and a pure detector.

Like ruff's registry, a rule is described once: its code (``GD101``), slug (``build-path``), the
cause of :mod:`godet.explain.causes` it relates to, a title, what it detects, why that breaks
reproducibility, the fix, and ``detect(binary, policy) -> list[Finding]``. The engine runs the
enabled rules and sets each finding's level from the policy; the renderers and the docs pages
(:mod:`godet.check.docs`) read the same registry.

Detectors only read the facts of :class:`godet.read.binary.Binary` (buildinfo, build IDs, symbols,
DWARF summary, embedded paths, linkage, cgo evidence) and never raise on missing facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from godet.explain.causes import CAUSES
from godet.links import docs_base, rule_url
from godet.read.timestamps import MAX_RODATA_SCAN, is_unix_time, timestamp_label
from godet.read.timestamps import rodata_timestamps as read_rodata_timestamps
from godet.read.xflags import XValue, parse_x_flags, quoted_split

__all__ = ["XValue", "go_quoted_split", "parse_x_flags"]
go_quoted_split = quoted_split  # the name check used before the parser moved to godet.read.xflags

if TYPE_CHECKING:
    from godet.check.policy import Policy
    from godet.read.binary import Binary
    from godet.read.strdata import StringHeaders

#: The project's home page (SARIF informationUri) and where the rule pages live (help URIs in SARIF and
#: the text output); GODET_DOCS_URL (see godet.links) moves them, e.g. to a fork or an internal mirror.
DOCS_BASE_URL = docs_base() + "checks/"
MAX_EVIDENCE = 50  # list items kept in a finding's evidence
MAX_IN_MESSAGE = 3  # examples named in a message


@dataclass(frozen=True)
class Finding:
    """One hazard found in one binary by one rule."""

    rule: str  # code, e.g. "GD101"
    name: str  # slug, e.g. "build-path"
    level: str  # error | warning | info (the policy's level for the rule)
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    where: tuple[str, ...] = ()  # the structures it was found in (buildinfo, .gopclntab, symbol x, ...)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "level": self.level,
            "message": self.message,
            "evidence": self.evidence,
            "where": list(self.where),
        }


Detector = Callable[["Rule", "Binary", "Policy"], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check rule: identity, documentation and its detector."""

    code: str
    name: str
    level: str  # default level: error | warning | info
    cause: str  # id in godet.explain.causes.CAUSES
    title: str
    what: str  # what the rule detects
    why: str  # why it breaks reproducibility
    fix: str
    detect_fn: Detector = field(repr=False, compare=False)
    references: tuple[str, ...] = ()
    example: str = ""  # a policy snippet shown in the docs (for the policy-driven rules)

    @property
    def docs_path(self) -> str:
        """The docs page, relative to the repository root."""
        return f"docs/checks/{self.code}.md"

    @property
    def help_uri(self) -> str:
        return rule_url(self.code)

    def detect(self, binary: Binary, policy: Policy) -> list[Finding]:
        return self.detect_fn(self, binary, policy)

    def finding(
        self, message: str, evidence: dict[str, Any] | None = None, where: Iterable[str] = ()
    ) -> Finding:
        """A finding of this rule at its default level (the engine applies the policy's level)."""
        return Finding(self.code, self.name, self.level, message, evidence or {}, tuple(dict.fromkeys(where)))

    def to_json(self, level: str | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": level or self.level,
            "default_level": self.level,
            "cause": self.cause,
            "title": self.title,
            "what": self.what,
            "why": self.why,
            "fix": self.fix,
            "docs": self.docs_path,
            "help_uri": self.help_uri,
        }


# --------------------------------------------------------------------------------------------
# helpers shared by the detectors


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """``1 section`` / ``8 sections`` (``1,234`` grouped)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _setting(b: Binary, key: str) -> str | None:
    bi = b.buildinfo
    return bi.setting(key) if bi is not None else None


def _path_entries(b: Binary, kinds: tuple[str, ...]) -> list[Any]:
    return [p for p in (b.paths or []) if getattr(p, "kind", None) in kinds]


def _where_list(where: Any) -> list[str]:
    if where is None:
        return []
    if isinstance(where, str):
        return [where]
    return [str(w) for w in where]


def _paths_finding(rule: Rule, b: Binary, kinds: tuple[str, ...], what: str) -> list[Finding]:
    """One finding listing the embedded paths of ``kinds`` (most frequent first) and where they sit."""
    entries = _path_entries(b, kinds)
    if not entries:
        return []
    entries.sort(key=lambda p: (-int(getattr(p, "count", 1) or 1), p.path))
    where: list[str] = []
    for p in entries:
        where.extend(_where_list(getattr(p, "where", None)))
    shown = ", ".join(p.path for p in entries[:MAX_IN_MESSAGE])
    more = f" and {len(entries) - MAX_IN_MESSAGE} more" if len(entries) > MAX_IN_MESSAGE else ""
    trim = _setting(b, "-trimpath")
    note = " although -trimpath=true is recorded" if trim == "true" else ""
    evidence = {
        "paths": [
            {"path": p.path, "kind": p.kind, "where": _where_list(getattr(p, "where", None)),
             "count": int(getattr(p, "count", 1) or 1)}
            for p in entries[:MAX_EVIDENCE]
        ],
        "total": len(entries),
        "trimpath": trim == "true",
    }
    n = len(entries)
    message = f"{n} {what} path{'s' if n != 1 else ''} embedded{note}: {shown}{more}"
    return [rule.finding(message, evidence, where)]


# -X values ---------------------------------------------------------------------------------------
# One parser and one reader for diff and check: godet.read.xflags (split like cmd/go's quoted.Split).


def x_values(b: Binary) -> tuple[list[XValue], str]:
    """The -X assignments of ``b`` and their source: ``buildinfo``, ``symbols`` or ``none`` (cached)."""
    return b.x_values


_TIME_NAME = re.compile(r"(?i)(date|time|stamp|built|epoch|when)")
_HOST_NAME = re.compile(r"(?i)(host|machine)")
_USER_NAME = re.compile(r"(?i)(user|built_?by|build_?by|login)")
_USER_AT_HOST = re.compile(r"^[a-z_][\w.-]{0,31}@[A-Za-z0-9][\w-]*$")
_HOME_DIR = re.compile(r"(?:^|[\s=:])(/home/[^/\s]+|/Users/[^/\s]+|[A-Za-z]:\\Users\\[^\\\s]+)")


# The Unix epoch (SOURCE_DATE_EPOCH=0, or a zero time): never the time of a build
_EPOCH = re.compile(
    r"1970-01-01[T ]00:00:00(?:\.0+)?(?:Z|[+-]00:?00|\s?\+0000 UTC| ?UTC| ?GMT)?"
    r"|Thu,? (?:Jan +1|1 Jan) (?:1970 )?00:00:00 (?:UTC|GMT|\+0000)(?: 1970)?"
)


def looks_like_timestamp(name: str, value: str, vcs_time: str | None = None) -> str | None:
    """Which timestamp shape ``value`` has (None when it has none, or when it is only the commit time
    ``vcs_time`` or the Unix epoch, reproducible by construction); ``name`` helps with Unix times."""
    if vcs_time:
        value = value.replace(vcs_time, " ")
    value = _EPOCH.sub(" ", value)
    label = timestamp_label(value)
    if label:
        return label
    var = name.rsplit(".", 1)[-1]
    if _TIME_NAME.search(var) and is_unix_time(value):
        return "Unix time"
    return None


def looks_like_identity(name: str, value: str, local: tuple[str, ...]) -> str | None:
    """Why ``value`` looks like a host or user name (None when it does not)."""
    v = value.strip()
    if not v:
        return None
    var = name.rsplit(".", 1)[-1]
    for ident in local:
        if re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", v):
            return f"contains this machine's host or user name {ident!r}"
    if _USER_AT_HOST.match(v):
        return "has the shape user@host"
    if _HOME_DIR.search(v):
        return "names a home directory"
    if _HOST_NAME.search(var) and not _looks_constant(v):
        return f"variable name {var!r} suggests a host name"
    if _USER_NAME.search(var) and not _looks_constant(v):
        return f"variable name {var!r} suggests a user name"
    return None


# Build tools and services a build names itself by (goreleaser's default ldflags set
# -X main.builtBy=goreleaser): the same value in every build, no host or person.
BUILD_TOOLS = frozenset(
    {"goreleaser", "ko", "bazel", "nix", "homebrew", "brew", "make", "docker", "buildkit", "gradle",
     "earthly", "melange", "apko", "github-actions", "gitlab-ci", "ci"}
)


def _looks_constant(v: str) -> bool:
    """Values that are clearly not host or user names (versions, URLs, booleans, build tools)."""
    if v.lower() in BUILD_TOOLS:
        return True
    return bool(re.match(r"^(v?\d+(\.\d+)*([-+][\w.]+)?|true|false|https?://\S+)$", v))


STAMP_SLACK = 32  # other bytes a string holding a stamped time may have ("built 2024-…Z")


def rodata_timestamps(b: Binary) -> list[tuple[str, str, int]]:
    """Date-and-time strings in read-only data that are Go strings of their own: (text, section, file
    offset). Go layouts, the commit time (buildinfo's vcs.time, also in the runtime's modinfo copy),
    the Unix epoch and times inside longer literals (help texts, docs: no string header points at
    them) excluded."""
    vcs_time = _setting(b, "vcs.time")
    hits = [
        t
        for t in read_rodata_timestamps(b.image, MAX_EVIDENCE + 20)
        if looks_like_timestamp("", t[0], vcs_time) is not None
    ]
    if not hits:
        return []  # (the string headers are read only when there is something to place)
    writable = sum(s.size for s in b.image.sections if s.alloc and s.writable and not s.executable)
    if writable > MAX_RODATA_SCAN:  # a file claiming GiBs of data: too much to read for headers
        return hits[:MAX_EVIDENCE]
    heads = b.string_headers
    return [t for t in hits if _own_string(b, heads, t)][:MAX_EVIDENCE]


def _own_string(b: Binary, heads: StringHeaders, stamp: tuple[str, str, int]) -> bool:
    """Whether a string header in writable data (an -X variable is one) covers the stamp and holds
    little else: a time quoted inside a longer literal is not a stamped variable. A stamp among the
    Go string literals is the source's (``var cutoff = "2024-11-30T23:59:59Z"``, caddy's
    dependencies): the linker writes an -X value past them, in a symbol of its own (``<var>.str``),
    which the literals' estimated extent in a stripped build leaves out too."""
    text, _, off = stamp
    sec = b.image.section_at(off)
    if sec is None or not len(heads):
        return False
    va = sec.addr + (off - sec.offset)
    end = va + len(text.encode("latin-1", "replace"))
    if b.among_literals(va, end):
        return False
    inside = (heads.ptr <= va) & (heads.ptr + heads.length >= end)
    return bool((inside & (heads.length <= end - va + STAMP_SLACK)).any())


# --------------------------------------------------------------------------------------------
# detectors


def _detect_build_path(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    return _paths_finding(rule, b, ("build-dir",), "build-directory")


def _detect_goroot(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    return _paths_finding(rule, b, ("goroot",), "GOROOT")


def _detect_modcache(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    return _paths_finding(rule, b, ("module-cache", "gopath"), "module-cache/GOPATH")


def _detect_cgo_work(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    return _paths_finding(rule, b, ("cgo-work", "link-work"), "temporary build-directory")


def _detect_home(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    return _paths_finding(rule, b, ("home",), "home-directory")


def _detect_vcs_stamp(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if bi is None:
        return []
    stamps = {k: v for k, v in bi.settings if k == "vcs" or k.startswith("vcs.")}
    if not stamps:
        return []
    rev = stamps.get("vcs.revision", "")
    parts = [f"{k}={v}" for k, v in stamps.items() if k in ("vcs.revision", "vcs.time")]
    msg = f"VCS stamps recorded ({', '.join(parts) or 'vcs=' + stamps.get('vcs', '')})"
    if rev:
        msg += ": a rebuild from a source archive or another commit gives different bytes"
    return [rule.finding(msg, {"settings": stamps}, ["buildinfo"])]


def _detect_vcs_dirty(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if bi is None:
        return []
    modified = bi.setting("vcs.modified")
    version = bi.main.version if bi.main is not None else ""
    dirty_version = version.endswith("+dirty")
    if modified != "true" and not dirty_version:
        return []
    evidence: dict[str, Any] = {"vcs.modified": modified}
    if version:
        evidence["main_version"] = version
    rev = bi.setting("vcs.revision")
    if rev:
        evidence["vcs.revision"] = rev
    msg = "built from a dirty work tree (vcs.modified=true"
    msg += f", main module version {version})" if dirty_version else ")"
    msg += ": the binary matches no commit"
    return [rule.finding(msg, evidence, ["buildinfo"])]


def _x_findings(
    rule: Rule, b: Binary, policy: Policy, judge: Callable[[XValue], str | None]
) -> tuple[list[Finding], str]:
    """Findings for the -X values ``judge`` objects to, and where the values came from."""
    values, source = x_values(b)
    found = []
    for xv in values:
        if xv.name in policy.x_allow or not xv.value:
            continue
        reason = judge(xv)
        if not reason:
            continue
        recovered = f" (recovered from {xv.where})" if source == "symbols" else ""
        found.append(rule.finding(
            f"-X {xv.name}={xv.value!r} {reason}{recovered}",
            {"variable": xv.name, "value": xv.value, "reason": reason, "source": source},
            [xv.where],
        ))
    return found, source


def _detect_x_timestamp(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    found, source = _x_findings(rule, b, policy, lambda xv: (
        f"looks like a timestamp ({label})"
        if (label := looks_like_timestamp(xv.name, xv.value, _setting(b, "vcs.time"))) else None))
    if found or source != "none":
        return found
    # -trimpath hid -ldflags and -s removed the symbols: look for timestamp strings in read-only data
    stamps = rodata_timestamps(b)
    if not stamps:
        return []
    shown = ", ".join(repr(t) for t, _, _ in stamps[:MAX_IN_MESSAGE])
    return [rule.finding(
        f"timestamp-like string{'s' if len(stamps) > 1 else ''} in read-only data: {shown} "
        "(-ldflags not recorded and no symbol table, so the variable cannot be named)",
        {"strings": [{"value": t, "section": s, "offset": o} for t, s, o in stamps], "source": "rodata"},
        [f"{s}+{o:#x}" for _, s, o in stamps[:MAX_IN_MESSAGE]],
    )]


def _detect_x_identity(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    found, _ = _x_findings(rule, b, policy, lambda xv: (
        f"looks like a host or user name ({why})"
        if (why := looks_like_identity(xv.name, xv.value, policy.local_identities)) else None))
    return found


def _detect_go_build_id(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    gid = b.go_build_id
    if gid is None or not gid.value:
        return []
    note = getattr(gid, "source", "") == "note"
    where = ", ".join(b.image.fmt.names("go-buildid-note")) if note else "text build ID header"
    return [rule.finding(
        f"Go build ID present ({gid.value}); it is reproducible when every input is, and changes when any "
        "input does (source, flags, dependencies, toolchain, build directory)",
        {"go_build_id": gid.value, "parts": list(gid.parts)},
        [where],
    )]


def _detect_darwin_no_uuid(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    im = b.image
    if not im.fmt.uuid_required:
        return []
    from godet.read.buildid import macho_uuid

    if macho_uuid(im) is not None:
        return []
    gid = b.go_build_id
    empty = gid is None or not gid.value
    why = "the Go build ID is empty (-ldflags=-buildid=), so the linker emitted no LC_UUID" if empty else \
        "no LC_UUID load command"
    return [rule.finding(
        f"Mach-O without LC_UUID: {why}; macOS dyld refuses such binaries when they carry a recent SDK "
        "version",
        {"go_build_id": gid.value if gid else "", "lc_uuid": None},
        ["Mach-O load commands"],
    )]


def _detect_gnu_build_id(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    gnu = b.gnu_build_id
    if gnu is None or not gnu.hex:
        return []
    return [rule.finding(
        f"GNU build ID present ({gnu.hex}); it changes whenever the Go build ID or the linked bytes change",
        {"gnu_build_id": gnu.hex},
        list(b.image.fmt.names("gnu-buildid-note")),
    )]


def _detect_dwarf(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    d = b.dwarf
    if not getattr(d, "present", False):
        return []
    sections = [n for n, _, _ in getattr(d, "sections", [])]
    size = sum(s for _, s, _ in getattr(d, "sections", []))
    desc = f"DWARF {d.version}" if getattr(d, "version", None) else "DWARF"
    comp = ", compressed" if getattr(d, "compressed", False) else ""
    return [rule.finding(
        f"{desc} debug information present ({_plural(len(sections), 'section')}, "
        f"{_plural(size, 'byte')}{comp}); "
        "-ldflags=-w omits it",
        {"version": getattr(d, "version", None), "compressed": getattr(d, "compressed", False),
         "sections": sections, "bytes": size},
        sections[:MAX_EVIDENCE],
    )]


def _detect_symbols(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    s = b.symbols
    if not getattr(s, "present", False) or not s.names_go:
        # a Mach-O linked with -s keeps what dyld needs in LC_SYMTAB: its undefined imports
        # (libSystem functions) and, linked externally, the C symbols cgo exports; no Go symbol
        return []
    defined = sum(1 for x in s.symbols if x.kind not in ("U", "u"))
    if not defined:
        return []
    source = getattr(s, "source", "symbol table")
    return [rule.finding(
        f"symbol table present ({_plural(defined, 'defined symbol')} in {source}); -ldflags=-s omits it",
        {"count": s.count, "defined": defined, "source": source},
        [source],
    )]


def _detect_buildinfo_removed(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if bi is None or bi.format != "runtime":
        return []
    return [rule.finding(
        "the linker's buildinfo blob is absent (removed after the link): go version -m cannot read this "
        f"binary; its Go version ({bi.go_version}) and modules are only in the runtime's copies",
        {"go_version": bi.go_version, "runtime_copy_offset": bi.offset},
        ["runtime.buildVersion", "runtime.modinfo"],
    )]


# Dynamic libraries every Go darwin binary links (the system, not the build host's choice).
_SYSTEM_DYLIB_PREFIXES = ("/usr/lib/", "/System/Library/")


def _detect_dynamic(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    lk = b.linkage
    fmt = getattr(lk, "format", "")
    if fmt == "elf":
        if lk.static:
            return []
        parts = ([f"interpreter {lk.interpreter}"] if lk.interpreter else []) + (
            [f"needs {', '.join(lk.needed)}"] if lk.needed else [])
        return [rule.finding(
            "dynamically linked: " + "; ".join(parts),
            {"interpreter": lk.interpreter, "needed": list(lk.needed),
             "rpath": list(getattr(lk, "rpath", [])), "runpath": list(getattr(lk, "runpath", []))},
            [w for w, on in ((".interp", lk.interpreter), (".dynamic", lk.needed)) if on],
        )]
    if fmt == "macho":
        extra = [d for d in lk.dylibs if not d.startswith(_SYSTEM_DYLIB_PREFIXES)]
        if not extra:
            return []
        return [rule.finding(
            "links non-system dynamic libraries: " + ", ".join(extra),
            {"dylibs": list(lk.dylibs), "non_system": extra},
            ["Mach-O load commands"],
        )]
    if fmt == "pe":
        extra = [d for d in lk.pe_imports if d.lower() != "kernel32.dll"]
        if not extra:
            return []
        return [rule.finding(
            "imports DLLs beyond kernel32.dll (a cgo or external link): " + ", ".join(extra),
            {"pe_imports": list(lk.pe_imports), "extra": extra},
            ["PE import directory"],
        )]
    return []


def _detect_cgo(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    value = _setting(b, "CGO_ENABLED")
    if b.buildinfo is None or value == "0":
        return []
    cgo = b.cgo
    uses = getattr(cgo, "uses_cgo", False)
    evidence = {
        "CGO_ENABLED": value,
        "uses_cgo": uses,
        "evidence": list(getattr(cgo, "evidence", [])),
        "c_producers": list(getattr(cgo, "c_producers", [])),
    }
    if value is None:
        msg = "CGO_ENABLED is not recorded in buildinfo"
    elif uses:
        msg = f"CGO_ENABLED={value} and runtime/cgo is linked: the host's C toolchain and libc are inputs"
    else:
        msg = (f"CGO_ENABLED={value} recorded: the build depends on whether the host has a C compiler "
               "(no cgo code was linked this time)")
    return [rule.finding(msg, evidence, ["buildinfo"])]


_RELEASE = re.compile(r"^go\d+(\.\d+){1,2}$")


def _detect_toolchain(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    version = bi.base_version if bi is not None else getattr(b, "go_version", None)
    if not version or _RELEASE.match(version):
        return []
    kind = "development (devel)" if "devel" in version else "non-release"
    return [rule.finding(
        f"built with a {kind} Go toolchain: {version}",
        {"go_version": bi.go_version if bi is not None else version},
        ["buildinfo"],
    )]


def _detect_goexperiment(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if bi is None:
        return []
    setting = bi.setting("GOEXPERIMENT")
    experiments = list(bi.experiments)
    if not setting and not experiments:
        return []
    shown = setting or ",".join(experiments)
    return [rule.finding(
        f"GOEXPERIMENT={shown} (Go version {bi.go_version})",
        {"GOEXPERIMENT": setting, "experiments": experiments, "go_version": bi.go_version},
        ["buildinfo"],
    )]


def _detect_cmdline(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if bi is None or bi.path != "command-line-arguments":
        return []
    return [rule.finding(
        "built from a list of .go files (path command-line-arguments, no main module recorded)",
        {"path": bi.path, "main": bi.main.path if bi.main is not None else None},
        ["buildinfo"],
    )]


def _matches(value: str, accepted: tuple[str, ...]) -> bool:
    from godet.check.policy import ANY

    return ANY in accepted or value in accepted


def _detect_required(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    if not policy.require:
        return []
    bi = b.buildinfo
    out = []
    for key, accepted in policy.require.items():
        value = bi.setting(key) if bi is not None else None
        if value is not None and _matches(value, accepted):
            continue
        want = "any value" if accepted == ("*",) else " or ".join(f"{key}={v}" for v in accepted)
        got = "no buildinfo" if bi is None else ("not recorded" if value is None else f"{key}={value}")
        out.append(rule.finding(
            f"required build setting {want} missing ({got})",
            {"key": key, "required": list(accepted), "found": value},
            ["buildinfo"],
        ))
    return out


def _detect_forbidden(rule: Rule, b: Binary, policy: Policy) -> list[Finding]:
    bi = b.buildinfo
    if not policy.forbid or bi is None:
        return []
    out = []
    for key, forbidden in policy.forbid.items():
        value = bi.setting(key)
        if value is None or not _matches(value, forbidden):
            continue
        out.append(rule.finding(
            f"forbidden build setting {key}={value} recorded",
            {"key": key, "forbidden": list(forbidden), "found": value},
            ["buildinfo"],
        ))
    return out


# --------------------------------------------------------------------------------------------
# the registry

_TRIM = "Build with -trimpath (go build -trimpath ./cmd/app)."
_REFS_TRIM = ("golang/go#16860", "golang/go#22491")

RULES: tuple[Rule, ...] = (
    Rule(
        "GD101", "build-path", "error", "build-path",
        "Build directory embedded",
        "Absolute paths of the directory the program was built in (the main module or work tree), in the "
        "pclntab file table, DWARF line tables or strings.",
        "The paths depend on where the checkout happened to be; building the same commit in another "
        "directory (another CI runner, a colleague's laptop) gives different bytes, and the Go build ID "
        "changes with them.",
        _TRIM + " Paths then read module@version/file.go.",
        _detect_build_path, _REFS_TRIM,
    ),
    Rule(
        "GD102", "goroot-path", "error", "goroot-path",
        "GOROOT embedded",
        "The Go installation's location: standard-library file paths (/usr/local/go/src/...) and the "
        "runtime.defaultGOROOT string that runtime.GOROOT() returns.",
        "Two builders with Go installed in different places produce different binaries.",
        "Build with -trimpath: cmd/go then leaves GOROOT out and standard-library paths become import paths.",
        _detect_goroot, ("golang/go#51461",),
    ),
    Rule(
        "GD103", "module-cache-path", "error", "module-cache-path",
        "Module cache or GOPATH paths embedded",
        "Source paths of dependencies under GOMODCACHE (…/pkg/mod/module@version/…) or a GOPATH.",
        "The module cache lives in the builder's home directory or wherever GOMODCACHE points; another "
        "builder embeds other paths.",
        _TRIM + " For cgo dependencies also pass -ffile-prefix-map=$(go env GOMODCACHE)=/gomodcache in "
        "CGO_CFLAGS, or build with CGO_ENABLED=0.",
        _detect_modcache, ("https://github.com/vivi365/reproducible-go-ethereum",),
    ),
    Rule(
        "GD104", "cgo-work-path", "error", "cgo-work-path",
        "Temporary build directory embedded",
        "A temporary directory of the go command ($WORK = /tmp/go-buildNNN) or of the external linker "
        "(/tmp/go-link-NNN), usually in the DWARF of C objects built by cgo.",
        "These directories get a new random name on every build, so even two builds on one machine differ.",
        "Build with CGO_ENABLED=0, or strip DWARF (-ldflags=-w), or use a Go release that maps $WORK "
        "(-ffile-prefix-map) and do not override that mapping in CGO_CFLAGS; link internally where possible.",
        _detect_cgo_work, ("golang/go#13247", "golang/go#9206", "golang/go#47256"),
    ),
    Rule(
        "GD105", "home-path", "warning", "build-path",
        "Home directory embedded",
        "Paths under a user's home directory (/home/NAME, /Users/NAME, C:\\Users\\NAME) that are not the "
        "build directory, GOROOT or the module cache.",
        "They name the user who built the binary; another user's build differs (and the name leaks).",
        _TRIM + " Keep toolchains, caches and generated inputs out of home directories in CI.",
        _detect_home, _REFS_TRIM,
    ),
    Rule(
        "GD201", "vcs-stamp", "warning", "vcs-revision",
        "VCS stamps recorded",
        "Build settings vcs, vcs.revision, vcs.time and vcs.modified, which go build records when it runs "
        "inside a repository (-buildvcs=auto).",
        "The binary then depends on the commit and on whether .git and the git binary were present: a "
        "rebuild from a source archive, a shallow clone without git, or another commit differs.",
        "Build with -buildvcs=false (and pass the version explicitly), or always build from a clean git "
        "checkout with git installed.",
        _detect_vcs_stamp, ("golang/go#50603", "golang/go#51253"),
    ),
    Rule(
        "GD202", "vcs-dirty", "error", "vcs-modified",
        "Built from a dirty work tree",
        "vcs.modified=true (and, since Go 1.24, a main module version ending in +dirty): the work tree "
        "had uncommitted or untracked changes.",
        "The binary corresponds to no commit, so nobody can rebuild it; often build outputs or generated "
        "files left in the tree are the cause.",
        "Build from a clean checkout; list build outputs in .gitignore; or build with -buildvcs=false.",
        _detect_vcs_dirty, ("ethereum/go-ethereum#30324", "golang/go#77897"),
    ),
    Rule(
        "GD203", "ldflags-x-timestamp", "error", "ldflags-x",
        "-ldflags -X value looks like a timestamp",
        "A string variable set with -ldflags -X whose value looks like a date or time (RFC 3339, date(1) "
        "output, compact or Unix time); read from buildinfo's -ldflags, else from the NAME.str symbols, "
        "else (stripped and -trimpath) from date-and-time strings in read-only data that a string variable "
        "holds (a header in writable data points at them; a time quoted in a help text is not one, nor a "
        "time among the Go string literals, which the source assigned: the linker writes an -X value "
        "past them). The stamped vcs.time "
        "(the commit time, reproducible by construction; also in the runtime's copy of buildinfo), the Unix "
        "epoch (SOURCE_DATE_EPOCH=0, a zero time), Go's time-layout constants and pseudo-versions' commit "
        "times are not flagged.",
        "A build time changes on every build (-X main.date=$(date)).",
        "Use the commit time ({{.CommitDate}} in goreleaser, git log -1 --format=%cI, SOURCE_DATE_EPOCH) "
        "or drop the variable. If the value already is the commit time, list the variable in x-allow.",
        _detect_x_timestamp, ("cli/cli#406", "zyedidia/micro#1802", "https://reproducible-builds.org/docs/source-date-epoch/"),
        example='x-allow = ["main.date"]  # set from SOURCE_DATE_EPOCH, so reproducible',
    ),
    Rule(
        "GD204", "ldflags-x-identity", "warning", "ldflags-x",
        "-ldflags -X value looks like a host or user name",
        "A string variable set with -ldflags -X whose value contains this machine's host or user name, "
        "has the shape user@host, names a home directory, or whose variable name says host/user/builder "
        "(unless the value is a version, a URL, a boolean or a build tool's name such as goreleaser, "
        "which goreleaser's default -ldflags set as main.builtBy).",
        "Host and user names differ between builders, so the binary records who or where built it.",
        "Drop the variable, or set it to a constant (e.g. the CI system's name) that every builder uses.",
        _detect_x_identity, ("letsencrypt/boulder#8549",),
    ),
    Rule(
        "GD301", "go-build-id", "info", "go-build-id",
        "Go build ID present",
        "The Go build ID (.note.go.buildid on ELF, the text header elsewhere): hashes of the build's "
        "inputs and output.",
        "It is reproducible when every input is, but any other difference (a path, a flag) changes it, "
        "so it is a symptom to look past. Some release recipes remove it with -ldflags=-buildid=.",
        "Nothing to do when the other rules pass. To remove it pass -ldflags=-buildid= (but see GD302 "
        "for macOS).",
        _detect_go_build_id, ("golang/go#34186", "golang/go#59525"),
    ),
    Rule(
        "GD302", "darwin-no-uuid", "warning", "macho-uuid",
        "macOS binary without LC_UUID",
        "A Mach-O executable without an LC_UUID load command, typically because it was linked with an "
        "empty Go build ID (-ldflags=-buildid=): since Go 1.24 the linker derives LC_UUID from the build ID.",
        "Not a reproducibility hazard in itself, but the usual reproducibility recipe causes it and macOS "
        "26 dyld refuses binaries without LC_UUID that carry a recent SDK version (cgo, race, external "
        "linking).",
        "Keep the Go build ID on darwin (it is reproducible when the inputs are), or pass a fixed "
        "-ldflags=\"-B 0x<32 hex digits>\" so the linker writes a constant UUID, or use a Go release whose "
        "linker hashes the output into LC_UUID when the build ID is empty (Go 1.27 does).",
        _detect_darwin_no_uuid, ("golang/go#68678", "pantsbuild/pants#23632"),
    ),
    Rule(
        "GD303", "gnu-build-id", "info", "gnu-build-id",
        "GNU build ID present",
        "An ELF .note.gnu.build-id: derived from the Go build ID since Go 1.24, or computed by an external "
        "linker over the output.",
        "It changes with the Go build ID or the linked bytes, so it differs whenever anything else does; "
        "tools that expect it to hash the file flag Go binaries wrongly.",
        "Nothing to do when the other rules pass; with external linking pass -ldflags=-B=gobuildid so it "
        "derives from the Go build ID.",
        _detect_gnu_build_id, ("golang/go#5170",),
    ),
    Rule(
        "GD304", "dwarf", "warning", "dwarf",
        "DWARF debug information present",
        "DWARF sections (.debug_* / __DWARF / .zdebug_*).",
        "DWARF repeats every source path, and its format depends on the toolchain (DWARF 5 since Go "
        "1.25, compression), so it is the largest carrier of path and toolchain differences.",
        "Link with -ldflags=-w (usually -ldflags=\"-s -w\"), and ship debug info separately if needed.",
        _detect_dwarf,
    ),
    Rule(
        "GD305", "symbol-table", "warning", "symbol-table",
        "Symbol table present",
        "A static symbol table (ELF .symtab, PE COFF symbols, Mach-O LC_SYMTAB) that names Go's symbols "
        "(a Mach-O linked with -s keeps only what dyld needs: its imports and the C symbols cgo exports).",
        "It adds names and layout that differ with any code change, and a later strip on one side only "
        "makes otherwise identical builds differ.",
        "Link with -ldflags=-s (usually -ldflags=\"-s -w\") instead of stripping afterwards.",
        _detect_symbols,
    ),
    Rule(
        "GD306", "buildinfo-removed", "warning", "buildinfo-removed",
        "Buildinfo blob removed after the link",
        "A Go program without the linker's buildinfo blob (.go.buildinfo), whose Go version and module "
        "list remain only in the runtime's copies (runtime.buildVersion, runtime.modinfo).",
        "A post-link step (objcopy --remove-section) is one more input that must run alike on every build, "
        "and go version -m, govulncheck and SBOM tools can no longer say what the binary was built from, "
        "which is what a rebuilder compares first.",
        "Keep the blob. To ship less, build with -trimpath and -buildvcs=false (and -ldflags=\"-s -w\") "
        "instead of editing the binary.",
        _detect_buildinfo_removed,
    ),
    Rule(
        "GD401", "dynamic-linking", "warning", "linkage",
        "Dynamically linked",
        "An ELF interpreter (PT_INTERP) and needed libraries (DT_NEEDED), Mach-O dylibs outside the "
        "system, or PE imports beyond kernel32.dll.",
        "The interpreter path and libraries come from the build host (glibc or musl, versions), so "
        "builders with different base images produce different binaries.",
        "Build with CGO_ENABLED=0 for a static binary, or build in one pinned base image.",
        _detect_dynamic, ("https://go.dev/blog/rebuild",),
    ),
    Rule(
        "GD402", "cgo-enabled", "warning", "build-setting",
        "CGO_ENABLED not recorded as 0",
        "Buildinfo records CGO_ENABLED=1 (or nothing); the evidence says whether runtime/cgo was linked.",
        "With cgo the host C compiler, libc and headers become inputs, and since Go 1.20 cgo is silently "
        "disabled where no C compiler is found, so builders differ in whether cgo was used at all.",
        "Set CGO_ENABLED=0 explicitly (or CGO_ENABLED=1 with a pinned C toolchain image and switch this "
        "rule off).",
        _detect_cgo, ("https://go.dev/blog/rebuild", "golang/go#52372"),
    ),
    Rule(
        "GD501", "devel-toolchain", "warning", "toolchain-version",
        "Development or pre-release Go toolchain",
        "A Go version that is not a release (devel +hash, rcN, betaN, or a custom suffix).",
        "Nobody else can obtain the same toolchain, and devel toolchains' tool IDs are content hashes "
        "of their own build, so even the build ID is not reproducible.",
        "Build with a released Go version, pinned (GOTOOLCHAIN=local in an image pinned by digest, or a "
        "toolchain line in go.mod).",
        _detect_toolchain, ("golang/go#59525",),
    ),
    Rule(
        "GD502", "goexperiment", "warning", "goexperiment",
        "GOEXPERIMENT set",
        "A GOEXPERIMENT build setting or a version suffix X:name (-X:name since Go 1.26).",
        "Experiments change the runtime and compiler output; a builder without the same environment "
        "variable produces a different binary.",
        "Unset GOEXPERIMENT, or set it in the build script so every builder uses the same value "
        "(then switch this rule off).",
        _detect_goexperiment, ("aquasecurity/trivy#6698",),
    ),
    Rule(
        "GD503", "command-line-files", "warning", "command-line-files",
        "Built from a list of .go files",
        "Buildinfo path command-line-arguments: the program was built as go build main.go.",
        "The build ID then depends on the absolute file paths and no module version is recorded.",
        "Build the package path instead: go build ./cmd/app.",
        _detect_cmdline, ("golang/go#48557", "aquasecurity/trivy#6766"),
    ),
    Rule(
        "GD901", "required-setting", "error", "build-setting",
        "Required build setting missing",
        "A build setting the policy requires (its require table) is not recorded in buildinfo, or has "
        "another value.",
        "The policy names the settings your reproducible recipe depends on; a binary built without "
        "them was not built by that recipe.",
        "Build with the required setting, or change the policy.",
        _detect_required,
        example='[require]\n"-trimpath" = true\nCGO_ENABLED = "0"\n"-buildmode" = ["exe", "pie"]',
    ),
    Rule(
        "GD902", "forbidden-setting", "error", "build-setting",
        "Forbidden build setting present",
        "A build setting the policy forbids (its forbid table or list) is recorded in buildinfo.",
        "Settings such as -race, -cover, GOEXPERIMENT or a developer's -gcflags make the binary differ "
        "from the release recipe.",
        "Build without the setting, or change the policy.",
        _detect_forbidden,
        example='forbid = ["-race", "-cover", "GOEXPERIMENT"]\n# or, per value:\n# [forbid]\n'
                '# "-buildmode" = ["plugin", "shared"]',
    ),
)


# --------------------------------------------------------------------------------------------
# image rules: they read the facts of one image (godet.check.images.ImageFacts), not a binary


def _img_mtime(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    from godet.check.images import utc

    if facts.epoch is None:
        return []
    late = [(p, t) for p, t in facts.mtimes if t > facts.epoch]
    if not late:
        return []
    latest = max(t for _, t in late)
    return [rule.finding(
        f"{_plural(len(late), 'file')} in the layers {'is' if len(late) == 1 else 'are'} newer than "
        f"SOURCE_DATE_EPOCH {facts.epoch} "
        f"({utc(facts.epoch)}): not clamped; latest {utc(latest)}, e.g. {late[0][0]}",
        {"epoch": facts.epoch, "files": [p for p, _ in late[:MAX_EVIDENCE]], "count": len(late)},
        [p for p, _ in late[:MAX_IN_MESSAGE]],
    )]


def _img_created(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    from godet.check.images import parse_time

    out = []
    newest = max((t for _, t in facts.mtimes), default=None)
    for where, value in facts.created:
        t = parse_time(value)
        if t is None:
            continue
        if facts.epoch is not None:
            if int(t) != facts.epoch:
                out.append(rule.finding(f"{where}: created {value} is not SOURCE_DATE_EPOCH {facts.epoch}",
                                        {"created": value, "epoch": facts.epoch}, [where]))
        elif t != 0 and (newest is None or int(t) != int(newest)):
            out.append(rule.finding(
                f"{where}: created {value} is neither 0 nor the newest file time, so it looks like the "
                "wall-clock time of the build", {"created": value}, [where]))
    return out


def _img_unpinned_base(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    ann = facts.annotations
    name = ann.get("org.opencontainers.image.base.name")
    if name and "@sha256:" not in name and not ann.get("org.opencontainers.image.base.digest"):
        return [rule.finding(f"the base image {name} is recorded by tag, without a digest",
                             {"base.name": name}, ["org.opencontainers.image.base.name"])]
    return []


def _img_attestation(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    if not facts.attestations:
        return []
    return [rule.finding(f"the index holds {facts.attestations} attestation manifest(s) (provenance/SBOM)",
                         {"attestations": facts.attestations}, ["index.json"])]


IMAGE_RULES: tuple[Rule, ...] = (
    Rule(
        "GD601", "image-mtime-unclamped", "warning", "file-mtime",
        "File times newer than SOURCE_DATE_EPOCH",
        "Files in the image's layers whose modification time is later than SOURCE_DATE_EPOCH (read from "
        "the environment of `godet check`; without it the rule is silent).",
        "Unclamped times are the times of the build: a rebuild gives other layer bytes, DiffIDs and digests.",
        "Clamp file times: BuildKit `rewrite-timestamp=true`, `buildah --rewrite-timestamp`, "
        "`tar --mtime=@$SOURCE_DATE_EPOCH --clamp-mtime`.",
        _img_mtime,
    ),
    Rule(
        "GD602", "image-created-not-epoch", "warning", "image-created",
        "Image creation time is not an epoch",
        "The config's `created` differs from SOURCE_DATE_EPOCH (when set), or, without it, is neither 0 nor "
        "the newest file time of the layers.",
        "A wall-clock creation time changes the config, hence the manifest and index digests, on every "
        "build.",
        "Set SOURCE_DATE_EPOCH for the image build (BuildKit ≥ 0.11, `buildah --source-date-epoch`, ko, "
        "apko).",
        _img_created,
    ),
    Rule(
        "GD603", "image-unpinned-base", "warning", "base-image-drift",
        "Base image not pinned by digest",
        "The image records its base image (`org.opencontainers.image.base.name`) by tag, with no "
        "`org.opencontainers.image.base.digest`.",
        "A tag moves: a rebuild next week starts from other base layers.",
        "Pin the base by digest: `FROM image@sha256:…`.",
        _img_unpinned_base,
    ),
    Rule(
        "GD604", "image-attestation", "info", "attestation",
        "Attestation manifests present",
        "The image index holds attestation manifests (BuildKit provenance or SBOM).",
        "Attestations record build times and invocation details; the index digest then differs between "
        "otherwise identical builds.",
        "Compare per-platform manifests, or build with `--provenance=false --sbom=false` when the index "
        "digest itself must be reproducible.",
        _img_attestation,
    ),
)
IMAGE_CODES = frozenset(r.code for r in IMAGE_RULES)


# --------------------------------------------------------------------------------------------
# package rules: they read what a .deb or .rpm says about itself (godet.check.images.PackageFacts)


def _pkg_mtime(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    from godet.check.images import utc

    epochs = facts.meta.epochs()
    if not epochs:
        return []
    epoch = max(epochs)
    late = [(p, t) for p, t in facts.mtimes if t > epoch]
    if not late:
        return []
    return [rule.finding(
        f"{_plural(len(late), 'file')} {'is' if len(late) == 1 else 'are'} newer than the latest changelog "
        f"entry ({facts.meta.changelog}, {utc(epoch)}), the SOURCE_DATE_EPOCH packaging tools use: not "
        f"clamped; latest {utc(max(t for _, t in late))}, e.g. {late[0][0]}",
        {"epoch": epoch, "files": [p for p, _ in late[:MAX_EVIDENCE]], "count": len(late)},
        [p for p, _ in late[:MAX_IN_MESSAGE]],
    )]


def _pkg_buildtime(rule: Rule, facts: Any, policy: Policy) -> list[Finding]:
    from godet.check.images import utc

    meta = facts.meta
    when = meta.fields.get("BUILDTIME", "")
    if meta.format != "rpm" or not meta.epochs() or not when.isdigit() or int(when) in meta.epochs():
        return []
    host = meta.fields.get("BUILDHOST", "")
    return [rule.finding(
        f"BUILDTIME {utc(int(when))} is not the latest changelog entry's date ({utc(max(meta.epochs()))}): "
        f"the wall-clock time of the build (BUILDHOST {host})",
        {"BUILDTIME": int(when), "BUILDHOST": host, "epoch": max(meta.epochs())},
        ["[rpm header]"],
    )]


PACKAGE_RULES: tuple[Rule, ...] = (
    Rule(
        "GD611", "package-mtime-unclamped", "warning", "file-mtime",
        "Package file times newer than its changelog",
        "Files in a .deb or .rpm whose modification time is later than the package's latest changelog "
        "entry, the date dpkg-buildpackage (and rpmbuild with `%source_date_epoch_from_changelog`) "
        "exports as SOURCE_DATE_EPOCH. Silent when the package has no changelog.",
        "Unclamped times are the times of the build: a rebuild gives other archive bytes.",
        "Build with dpkg-buildpackage (it exports SOURCE_DATE_EPOCH from the latest changelog entry and "
        "dpkg-deb clamps file times to it), run `dpkg-deb` with SOURCE_DATE_EPOCH set, or set rpm's "
        "`%clamp_mtime_to_source_date_epoch 1`.",
        _pkg_mtime,
    ),
    Rule(
        "GD612", "package-build-time", "warning", "package-build-stamp",
        "rpm build time is not SOURCE_DATE_EPOCH",
        "An .rpm whose `BUILDTIME` is not its latest changelog entry's date (nor that day's midnight, "
        "which rpmbuild 4.18 exports).",
        "The header then records when the package was built, so every rebuild differs.",
        "Set `%source_date_epoch_from_changelog 1` and `%use_source_date_epoch_as_buildtime 1`, and a "
        "fixed `%_buildhost`.",
        _pkg_buildtime,
    ),
)
PACKAGE_CODES = frozenset(r.code for r in PACKAGE_RULES)
CONTAINER_CODES = IMAGE_CODES | PACKAGE_CODES
RULES = RULES + IMAGE_RULES + PACKAGE_RULES


BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def resolve_rule(key: str) -> Rule | None:
    """The rule named by its code (``GD101``, any case) or its name (``build-path``)."""
    return BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())


def _check_registry() -> None:
    """Codes and names are unique and every cause id exists (import-time sanity check)."""
    assert len(BY_CODE) == len(RULES) and len(BY_NAME) == len(RULES), "duplicate rule code or name"
    for r in RULES:
        assert r.cause in CAUSES, f"{r.code}: unknown cause {r.cause!r}"
        assert r.level in ("error", "warning", "info"), f"{r.code}: bad level {r.level!r}"


_check_registry()
