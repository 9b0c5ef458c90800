"""The causal model applied to one pair: roots and consequences, roll-up, groups and the verdict.

Detectors name causes independently; the catalog's edges (:data:`godet.explain.causes.EDGES`)
say which present cause makes which other one happen. Here a finding is a root only when no
other present finding implies it; an implied finding is a consequence "because of" the root at
the top of its chain, and its bytes count towards that root. Symptoms (build IDs, address
shifts) follow whatever root they sit beside. Several roots of a groupable cause (47 dependency
versions) become one root with a table. The verdict names, in one sentence, what kind of
difference the roots add up to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from godet.explain.causes import CAUSES, MOVED_LINES, SCOPES, Edge, implies
from godet.explain.detectors.base import PATH_PREFIX, Evidence, Finding


def assign_roles(findings: list[Finding]) -> None:
    """Mark every finding that another present finding implies as a consequence of its root."""
    parents = {id(f): _parents(f, findings) for f in findings}
    for f in findings:
        f.role = "consequence" if CAUSES[f.cause].consequence and not _missing_stamp(f) else "root"
        f.because = f.because_key = None
        f.root = None
    for f in findings:
        if not parents[id(f)]:
            continue
        root = _root_of(f, parents)
        if root is f:
            continue  # the most specific member of a cycle stays a root
        f.role, f.root = "consequence", root


FOLDED = (("source-change", MOVED_LINES),)  # (cause, key) of roots that join another root of their cause


def fold_roots(findings: list[Finding]) -> None:
    """A root that only adds a sign of what another root of its cause already says (functions start
    on other lines, beside functions a source change added) joins that root: one root, with its
    evidence, summary and claims. Call after ``assign_roles``, before settling."""
    for fact in [f for f in findings if f.role == "root" and (f.cause, f.key) in FOLDED]:
        hosts = [g for g in findings if g.role == "root" and g.cause == fact.cause and g is not fact]
        host = hosts[0] if hosts else None
        if host is None:
            continue
        host.evidence = [*host.evidence, *fact.evidence[:1]]
        host.summary += " " + fact.summary
        host.claims = [*host.claims, *fact.claims]
        host.traits = host.traits | fact.traits
        for g in findings:
            if g.root is fact:
                g.root = host
        findings.remove(fact)


ABSENT_STAMPS = ("go-build-id", "gnu-build-id")  # stamps whose absence a flag decides


def _missing_stamp(f: Finding) -> bool:
    """A build ID present in one build only: not a symptom of other differences (they change it, they
    do not remove it) but what -ldflags=-buildid= did; a root unless an edge names its cause (-trimpath
    hides the flag from buildinfo)."""
    return f.cause in ABSENT_STAMPS and f.one_sided()


def _parents(f: Finding, findings: list[Finding]) -> list[Finding]:
    """The present findings that imply ``f``, most specific first: non-symptoms before symptoms, an
    edge whose preference holds (the standard library's strings: a release's) before the others,
    edges that name a key or a condition (CGO_ENABLED ⇒ linkage) before general ones, then rank."""
    found = [(g, implies(g, f)) for g in findings if g is not f]
    ps = [(g, e) for g, e in found if e is not None]
    ps.sort(
        key=lambda ge: (
            CAUSES[ge[0].cause].consequence,
            not ge[1].preferred(ge[0], f),
            -_specificity(ge[1]),
            ge[0].rank,
        )
    )
    return [g for g, _ in ps]


def _specificity(e: Edge) -> int:
    """How much an edge names: a key and a condition (-ldflags naming -linkmode=external ⇒ linkage)
    before a key alone (any -buildmode ⇒ linkage), before neither."""
    return (e.cause_key is not None) + bool(e.when)


def _root_of(f: Finding, parents: dict[int, list[Finding]]) -> Finding:
    """Follow the most specific implier upwards; in a cycle, the lowest-ranked member is the root."""
    path = [f]
    cur = f
    while parents[id(cur)]:
        nxt = parents[id(cur)][0]
        if any(nxt is p for p in path):
            cycle = path[next(i for i, p in enumerate(path) if p is nxt) :]
            return min(cycle, key=lambda g: g.rank)
        path.append(nxt)
        cur = nxt
    return cur


def settle_roles(findings: list[Finding]) -> None:
    """After settlement: symptoms follow the largest root, and roots gather their consequences' bytes.

    When no root is left (only identity stamps differ), the most fundamental stamp (lowest rank,
    the Go build ID before the IDs derived from it) becomes the root.
    """
    for f in findings:
        f.direct_bytes = f.bytes
    roots = [f for f in findings if f.role == "root" and (f.bytes or CAUSES[f.cause].claimless)]
    if not roots and not any(f.role == "root" for f in findings):
        stamps = sorted((f for f in findings if f.bytes and f.root is None), key=lambda f: f.rank)
        if not stamps:
            return
        stamps[0].role = "root"
        stamps[0].summary += " Nothing else differs."
        roots = [stamps[0]]
    # a root that took no bytes may still gather them through its consequences
    roots = roots or [f for f in findings if f.role == "root"]
    # first the consequences whose cause an edge names; then the largest root, with those, takes the rest
    known = [f for f in findings if f.role == "consequence" and f.root is not None]
    for f in known:
        _gather(f)
    top = max(roots, key=lambda f: (f.bytes, -f.rank)) if roots else None
    for f in findings:
        if f.role == "consequence" and f.root is None:
            f.root = top
            _gather(f)


def _gather(f: Finding) -> None:
    """A consequence names its root, whose bytes it adds to."""
    if f.root is None or f.root.role != "root":
        return
    f.because, f.because_key = f.root.cause, f.root.key
    f.root.bytes += f.direct_bytes


def group(findings: list[Finding]) -> list[Finding]:
    """Roots of a groupable cause (catalog ``group``) that occur more than once become one root."""
    out: list[Finding] = []
    members: dict[str, list[Finding]] = {}
    for f in findings:
        if f.role == "root" and CAUSES[f.cause].group:
            members.setdefault(f.cause, []).append(f)
    merged: dict[str, Finding] = {}
    for cause_id, fs in members.items():
        if len(fs) > 1:
            merged[cause_id] = _merge(cause_id, fs)
    for f in findings:
        if f.role == "root" and f.cause in merged:
            g = merged[f.cause]
            if g not in out:
                out.append(g)
            continue
        if f.root is not None and f.root.cause in merged and f.root.role == "root":
            f.root = merged[f.root.cause]
            f.because_key = None
        out.append(f)
    return out


def _merge(cause_id: str, fs: list[Finding]) -> Finding:
    fs = sorted(fs, key=lambda f: (-f.bytes, f.key or ""))
    title = CAUSES[cause_id].group.format(n=len(fs))
    evidence: list[Evidence] = []
    for f in fs:
        evidence.extend(f.evidence[:1])
    regions: dict[str, int] = {}
    for f in fs:
        for r in f.regions:
            regions[r["section"]] = regions.get(r["section"], 0) + r["bytes"]
    g = Finding(
        cause_id,
        title + ".",
        evidence,
        role="root",
        key=None,
        fix=fs[0].fix,
        places=list(dict.fromkeys(p for f in fs for p in f.places)),
    )
    g.keys = [f.key or "" for f in fs]
    g.bytes = sum(f.bytes for f in fs)
    g.direct_bytes = sum(f.direct_bytes for f in fs)
    g.regions = [{"section": k, "bytes": v} for k, v in sorted(regions.items(), key=lambda kv: -kv[1])]
    g.owners = _merge_owners(fs)
    return g


def _merge_owners(fs: list[Finding]) -> list[dict]:
    acc: dict[str, dict] = {}
    for f in fs:
        for o in f.owners:
            cur = acc.setdefault(o["owner"], {**o, "functions": 0, "bytes": 0})
            cur["functions"] += o["functions"]
            cur["bytes"] += o["bytes"]
    return sorted(acc.values(), key=lambda o: -o["bytes"])


# ---------------------------------------------------------------- the verdict


@dataclass(frozen=True)
class Verdict:
    """What kind of difference the roots add up to, and the sentence that says it."""

    kind: str  # identical | program | source | toolchain | environment | unknown
    sentence: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "sentence": self.sentence}


KIND_SENTENCE = {
    "program": "Different programs",
    "source": "Different source",
    "toolchain": "Different toolchains",
    "environment": "Same source and toolchain; the build environment differs",
}


def recorded_difference(f: Finding) -> bool:
    """Whether the finding's evidence is a difference the builds record, which stands even when
    other causes' claims took the bytes it shares runs with: its own setting with two values (B built
    with -pgo, A without, where A's DefaultGODEBUG line stands), or source paths that differ by a
    prefix (a module cache elsewhere, beside a release change that took the file table)."""
    if f.key is not None and any(e.label == f.key and e.a != e.b for e in f.evidence):
        return True
    paths = CAUSES[f.cause].family == "paths"
    return paths and any(e.label == PATH_PREFIX and e.a != e.b for e in f.evidence)


def verdict(findings: list[Finding], total: int, explained: int) -> Verdict:
    """The one-sentence answer: the most fundamental kind among the roots, and the roots themselves."""
    roots = [
        f
        for f in findings
        if f.role == "root" and (f.bytes or CAUSES[f.cause].claimless or recorded_difference(f))
    ]
    share = percent(explained, total)
    if not roots:
        return Verdict("unknown", f"Different: {total:,} bytes differ and no known cause explains them.")
    by_scope: dict[str, list[Finding]] = {}
    for f in roots:
        by_scope.setdefault(CAUSES[f.cause].scope, []).append(f)
    kind = next(s for s in SCOPES if s in by_scope)
    parts = [f"{KIND_SENTENCE[kind]}: {_phrases(by_scope[kind])}"]
    for s in SCOPES:
        if s != kind and s in by_scope:
            parts.append(f"{KIND_SENTENCE[s].split(';')[-1].strip().lower()}: {_phrases(by_scope[s])}")
    sentence = "; ".join(parts) + f" ({share} of {total:,} differing bytes explained)."
    return Verdict(kind, sentence)


def _phrases(fs: list[Finding]) -> str:
    """The roots of one kind in words, largest first, each with its two values when they are short."""
    names = []
    for f in sorted(fs, key=lambda f: -f.bytes):
        if f.keys:
            names.append(_lower_first(f.summary.rstrip(".")))
            continue
        phrase = _lower_first(CAUSES[f.cause].title)
        if f.key and f.cause in KEYED:
            phrase += f" ({f.key})"
        ev = f.evidence[0] if f.evidence else None
        if ev is not None and ev.a and ev.b and len(ev.a) + len(ev.b) <= 60 and not f.key:
            # (bare numbers say nothing without what they count: "SDK 12.1 vs 12.3")
            label = ev.label.split(" (")[0] + " " if BARE_NUMBER.match(ev.a + ev.b) else ""
            phrase += f" ({label}{ev.a} vs {ev.b})"
        names.append(phrase)
    return ", ".join(dict.fromkeys(names))


BARE_NUMBER = re.compile(r"[\d.]+\Z")
KEYED = ("build-setting", "cgo-flags", "ldflags-x", "dependency-version", "arch-level")


def _lower_first(text: str) -> str:
    """``Build directory differs`` → ``build directory differs``; ``Go``, ``VCS``, ``-trimpath`` unchanged."""
    word = text.split(" ", 1)[0]
    if word in ("Go", "C") or not word[1:].islower() or not word[:1].isupper():
        return text
    return text[:1].lower() + text[1:]


def percent(part: int | float, whole: int | float = 1.0) -> str:
    """A share as a percentage that never rounds a partial share to 0% or 100% (``<0.1%``,
    ``>99.9%``); the one rule every screen and the verdict use."""
    if not whole:
        return "0%"
    x = 100.0 * part / whole
    if x <= 0:
        return "0%"
    if x >= 100:
        return "100%"
    if x < 0.1:
        return "<0.1%"
    if x > 99.9:
        return ">99.9%"
    return f"{x:.1f}%"
