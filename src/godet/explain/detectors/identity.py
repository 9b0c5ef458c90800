"""Identity stamps: Go build ID, GNU build ID, Mach-O UUID, code signature, PE timestamp, and the
FIPS module checksum.

They differ *because* content differs (consequences), except when nothing else differs.
The four Go build ID parts tell inputs from outputs: equal action IDs with different content
IDs mean the same inputs gave a different output.
"""

from __future__ import annotations

from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding
from godet.read.fipsinfo import SECT_NAMES, SUM_SIZE
from godet.read.formats import section_keys
from godet.read.pe import export_timestamp_offset

EMITS = frozenset(
    {"go-build-id", "gnu-build-id", "macho-uuid", "code-signature", "pe-timestamp", "fips-checksum"}
)

PART_NAMES = ("link action ID", "main package action ID", "main package content ID", "binary content ID")


def detect(ctx: DiffContext) -> list[Finding]:
    out = []
    f = _go_build_id(ctx)
    if f:
        out.append(f)
    out.extend(_gnu(ctx))
    out.extend(_macho(ctx))
    out.extend(_pe(ctx))
    out.extend(_fips(ctx))
    return out


def build_id_reading(a_parts: tuple[str, ...], b_parts: tuple[str, ...]) -> str:
    """What the four-part comparison says about inputs and outputs."""
    if len(a_parts) != 4 or len(b_parts) != 4:
        return "the IDs do not have the four parts of an executable's build ID"
    same = [x == y for x, y in zip(a_parts, b_parts, strict=True)]
    if same[0] and not same[3]:
        return (
            "same link inputs (action IDs equal) but different output: a nondeterministic step (cgo, the "
            "external linker, or a tool) produced different bytes"
        )
    if not same[0] and same[2]:
        return (
            "the main package compiled to the same content; the difference is in the link inputs (flags, "
            "stamped metadata, dependencies or paths)"
        )
    if not same[1]:
        return "the main package's inputs differ (source, flags, dependencies, toolchain or build directory)"
    return "the link inputs differ"


def _go_build_id(ctx: DiffContext) -> Finding | None:
    a, b = ctx.a.go_build_id, ctx.b.go_build_id
    if a is None and b is None:
        return None
    if a is not None and b is not None and a.value == b.value:
        return None
    ev = [Evidence("Go build ID", a.value if a else None, b.value if b else None)]
    claims = []
    for side, bid in (("a", a), ("b", b)):
        if bid is not None:
            claims.append(Claim.range(side, bid.offset, bid.offset + bid.size))
    if a is not None and b is not None:
        for name, x, y in zip(PART_NAMES, a.parts, b.parts, strict=False):
            if x != y:
                ev.append(Evidence(name, x, y))
        summary = "The Go build ID differs: " + build_id_reading(tuple(a.parts), tuple(b.parts)) + "."
    else:
        summary = "The Go build ID is present in one build only (-ldflags=-buildid= on the other)."
    for key in section_keys("go-buildid-note"):
        claims.append(Claim.unit(key))
    return Finding("go-build-id", summary, ev, claims)


def _gnu(ctx: DiffContext) -> list[Finding]:
    a, b = ctx.a.gnu_build_id, ctx.b.gnu_build_id
    if (a is None and b is None) or (a is not None and b is not None and a.hex == b.hex):
        return []
    claims = [Claim.unit(key) for key in section_keys("gnu-buildid-note")]
    for side, g in (("a", a), ("b", b)):
        if g is not None:
            claims.append(Claim.range(side, g.offset, g.offset + g.size))
    summary = (
        "The GNU build ID differs; Go derives it from the Go build ID (or the external linker hashes the "
        "output), so it follows the other differences."
        if a and b
        else "The GNU build ID is present in one build only."
    )
    return [
        Finding(
            "gnu-build-id",
            summary,
            [Evidence("GNU build ID", a.hex if a else None, b.hex if b else None)],
            claims,
        )
    ]


def _macho(ctx: DiffContext) -> list[Finding]:
    """LC_UUID and LC_CODE_SIGNATURE (only Mach-O headers have them; both sides share a format)."""
    out = []
    ha, hb = ctx.a.image.header, ctx.b.image.header
    ua, ub = ha.get("uuid"), hb.get("uuid")
    if ua != ub:
        claims = [
            Claim.range(side, h["uuid_offset"], h["uuid_offset"] + 16)
            for side, h in (("a", ha), ("b", hb))
            if h.get("uuid_offset")
        ]
        out.append(
            Finding(
                "macho-uuid",
                "The Mach-O LC_UUID differs (derived from the Go build ID).",
                [Evidence("LC_UUID", ua, ub)],
                claims,
            )
        )
    sa, sb = ha.get("code_signature"), hb.get("code_signature")
    if sa or sb:
        claims = [
            Claim.range(side, s["offset"], s["offset"] + s["size"]) for side, s in (("a", sa), ("b", sb)) if s
        ]
        out.append(
            Finding(
                "code-signature",
                "The code signature differs: an ad-hoc signature hashes every page, so it changes with "
                "any byte.",
                [
                    Evidence(
                        "signature size", str(sa["size"]) if sa else None, str(sb["size"]) if sb else None
                    )
                ],
                claims,
            )
        )
    return out


def _pe(ctx: DiffContext) -> list[Finding]:
    """The PE TimeDateStamp (only PE headers have one; both sides share a format)."""
    ha, hb = ctx.a.image.header, ctx.b.image.header
    ta, tb = ha.get("timestamp"), hb.get("timestamp")
    if ta == tb:
        return []
    claims = [
        Claim.range(side, h["timestamp_offset"], h["timestamp_offset"] + 4)
        for side, h in (("a", ha), ("b", hb))
        if "timestamp_offset" in h
    ]
    for side, binary, stamp in (("a", ctx.a, ta), ("b", ctx.b, tb)):
        at = export_timestamp_offset(binary.image)  # the export directory's copy of the link time
        if at is not None and stamp and int.from_bytes(binary.image.data[at : at + 4], "little") == stamp:
            claims.append(Claim.range(side, at, at + 4))
    return [
        Finding(
            "pe-timestamp",
            f"The PE header timestamp differs ({ta} vs {tb}).",
            [Evidence("TimeDateStamp", str(ta), str(tb))],
            claims,
        )
    ]


def _fips(ctx: DiffContext) -> list[Finding]:
    """The HMAC the linker stores in go:fipsinfo: it hashes the FIPS module's code and data as laid
    out, so it differs whenever they differ or move. Only the 32 sum bytes are claimed; the record's
    addresses (Self, the ranges) are pointers, which the layout detector explains."""
    a, b = ctx.a.fipsinfo, ctx.b.fipsinfo
    if a is None or b is None or a.sum == b.sum:
        return []
    ev = [Evidence("FIPS checksum", a.sum.hex(), b.sum.hex())]
    moved = [name for name, ra, rb in zip(SECT_NAMES, a.sects, b.sects, strict=True) if ra != rb]
    ev += [
        Evidence(f"FIPS {n}", _span(a.sects[i]), _span(b.sects[i]))
        for i, n in enumerate(SECT_NAMES)
        if n in moved
    ]
    listed = ", ".join(moved[:-1]) + " and " + moved[-1] if len(moved) > 1 else "".join(moved)
    why = (
        f"its {listed} {'range' if len(moved) == 1 else 'ranges'} moved"
        if moved
        else "its code or data differ at the same addresses"
    )
    summary = (
        "The FIPS 140 module checksum (go:fipsinfo) differs: the linker computes it over the module's "
        f"code and data as laid out, and {why}."
    )
    claims = [Claim.range(side, f.sum_offset, f.sum_offset + SUM_SIZE) for side, f in (("a", a), ("b", b))]
    return [Finding("fips-checksum", summary, ev, claims)]


def _span(r: tuple[int, int]) -> str:
    return f"{r[0]:#x}–{r[1]:#x}"
