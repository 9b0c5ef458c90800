"""``godet check`` on archives, packages and images: the Go rules on every Go binary inside, and the
image rules (GD6xx) on every image, through the sources stage."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from godet.errors import GodetError, NotAnExecutable, NotGoBinary
from godet.sources.base import Member, Opener, Source
from godet.sources.pkgmeta import package_meta


@dataclass
class ImageFacts:
    """What the image rules read: times, annotations and manifests of one image."""

    label: str
    epoch: int | None  # SOURCE_DATE_EPOCH from the environment
    created: list[tuple[str, str]] = field(default_factory=list)  # (where, value) of config created
    mtimes: list[tuple[str, float]] = field(default_factory=list)  # (member path, mtime) in all layers
    annotations: dict[str, str] = field(default_factory=dict)  # index + manifests + config labels
    attestations: int = 0
    platforms: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class PackageFacts:
    """What the package rules read: the package's own metadata and the times of its entries."""

    label: str
    meta: Any  # godet.sources.pkgmeta.PackageMeta
    mtimes: list[tuple[str, float]] = field(default_factory=list)  # (member path, mtime), dirs too


def parse_time(value: Any) -> float | None:
    """An RFC 3339 time as seconds since the epoch, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return calendar.timegm(t.utctimetuple()) + t.microsecond / 1e6


def is_container(path: str) -> bool:
    """Whether ``path`` is an archive, a package or an image layout (not an executable, not a plain dir)."""
    from godet.sources.base import is_tree_input

    if os.path.isdir(path):
        return os.path.isfile(os.path.join(path, "oci-layout")) and os.path.isfile(
            os.path.join(path, "index.json")
        )
    return is_tree_input(path)


def _members(src: Source, opener: Opener, prefix: str = "") -> list[tuple[str, Member]]:
    """Every (label, member) of a source, nested archives and image layers included."""
    out: list[tuple[str, Member]] = []
    if src.image is not None:
        for m in src.image.manifests:
            if m.role == "attestation":
                continue  # in-toto statements, not filesystem layers
            for layer in m.layers:
                if layer.media_type and "tar" not in layer.media_type and "docker" not in layer.media_type:
                    continue
                s = layer.load(opener, src.image.store, src.label)
                if s is None:
                    raise GodetError(src.label, f"{layer.name}: {layer.error}")
                out += _members(s, opener, f"{prefix}{m.platform}/layer {layer.position + 1}/")
        return out
    for m in src.members.values():
        out.append((prefix + m.path, m))
        if m.nested is not None:
            out += _members(m.nested, opener, f"{prefix}{m.path}/")
    return out


def source_executables(opener: Opener, path: str) -> tuple[list[tuple[str, str]], Any]:
    """(member label, temp file) of every executable inside the source at ``path``, and the
    PackageMeta of that source when it is a package (else None)."""
    from godet.sources import open_source

    src = open_source(opener, path)
    found = [
        (label, m.spill)
        for label, m in _members(src, opener)
        if m.kind == "file" and m.executable and m.spill
    ]
    return found, package_meta(src)


def image_facts(src: Source, members: list[tuple[str, Member]]) -> ImageFacts:
    img = src.image
    env = os.environ.get("SOURCE_DATE_EPOCH", "")
    facts = ImageFacts(src.label, int(env) if env.isdigit() else None)
    if img.index is not None and isinstance(img.index.parsed, dict):
        facts.annotations.update(
            {str(k): str(v) for k, v in (img.index.parsed.get("annotations") or {}).items()}
        )
    for m in img.manifests:
        if m.role == "attestation":
            facts.attestations += 1
            continue
        facts.platforms.append(m.platform)
        facts.annotations.update(m.annotations)
        cfg = m.config.parsed if m.config is not None and isinstance(m.config.parsed, dict) else {}
        if "created" in cfg:
            facts.created.append((f"{m.platform} config", str(cfg["created"])))
        labels = (cfg.get("config") or {}).get("Labels") or {}
        facts.annotations.update(
            {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
        )
    facts.mtimes = [(p, m.mtime) for p, m in members if m.mtime is not None and m.kind != "dir"]
    return facts


def check_container(path: str, report: Any, policy: Any, skipped: Counter[str]) -> int:
    """Check every Go binary inside ``path`` (and the image rules on an image); the number of binaries."""
    from godet.check.engine import check_binary
    from godet.check.rules import CONTAINER_CODES
    from godet.read.binary import open_binaries
    from godet.sources import open_source

    found = 0
    with Opener() as opener:
        src = open_source(opener, path)
        members = _members(src, opener)
        for label, m in members:
            if m.kind != "file" or not m.executable or not m.spill:
                if m.kind == "file" and m.nested is None:
                    skipped["not an executable"] += 1
                continue
            try:
                with open_binaries(m.spill) as binaries:
                    for b in binaries:
                        if not b.is_go:
                            continue
                        result = check_binary(
                            b, [ri for ri in report.rules if ri.rule.code not in CONTAINER_CODES], policy
                        )
                        result.path = f"{path}!{label}"
                        report.results.append(result)
                        found += 1
                    if not any(b.is_go for b in binaries):
                        skipped["not a Go executable"] += 1
            except (NotGoBinary, NotAnExecutable):
                skipped["not a Go executable"] += 1
        if src.image is not None:
            report.results.append(check_image(image_facts(src, members), report.rules, policy))
        meta = package_meta(src)
        if meta is not None:
            facts = PackageFacts(src.label, meta, [(p, m.mtime) for p, m in members if m.mtime is not None])
            report.results.append(check_package(facts, report.rules, policy))
    return found


def check_image(facts: ImageFacts, rules: list[Any], policy: Any) -> Any:
    """Run the image rules over one image."""
    from godet.check.rules import IMAGE_CODES

    target = "OCI image " + ", ".join(facts.platforms)
    return _run(facts, facts.label, target, facts.notes, IMAGE_CODES, rules, policy)


def check_package(facts: PackageFacts, rules: list[Any], policy: Any) -> Any:
    """Run the package rules over one .deb or .rpm."""
    from godet.check.rules import PACKAGE_CODES

    target = f"{facts.meta.format} package {facts.meta.name} {facts.meta.version}"
    return _run(facts, facts.label, target, [], PACKAGE_CODES, rules, policy)


def _run(
    facts: Any, label: str, target: str, notes: list[str], codes: Any, rules: list[Any], policy: Any
) -> Any:
    from godet.check.engine import BinaryResult
    from godet.check.policy import level_rank
    from godet.check.rules import Finding

    result = BinaryResult(path=label, target=target)
    for ri in rules:
        if ri.rule.code not in codes:
            continue
        for f in ri.rule.detect(facts, policy):  # type: ignore[arg-type]
            result.findings.append(Finding(f.rule, f.name, ri.level, f.message, f.evidence, f.where))
    result.findings.sort(key=lambda f: (-level_rank(f.level), f.rule))
    result.notes = list(notes)
    return result


def utc(t: float) -> str:
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    except (OverflowError, OSError, ValueError):  # a hostile time field
        return str(t)
