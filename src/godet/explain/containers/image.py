"""Image graphs compared: index → manifests by platform and role → config → layers by position (and
by DiffID when layers moved). Names the image causes (timestamps, labels, media types, JSON bytes,
attestations, compression, base drift, layer structure) and labels the digest cascade as consequences.
"""

from __future__ import annotations

import json
from typing import Any

from godet.explain.containers.members import TreeContext, diff_members
from godet.explain.detectors.base import Evidence
from godet.explain.tree import Node, NodeCause, NodeSide
from godet.sources.base import Source
from godet.sources.oci import Blob, Image, Layer, Manifest

CREATED_ANNOTATION = "org.opencontainers.image.created"
BASE_ANNOTATIONS = ("org.opencontainers.image.base.digest", "org.opencontainers.image.base.name")


def _blob_node(name: str, path: str, kind: str, a: Blob | None, b: Blob | None) -> Node:
    node = Node(
        name,
        path,
        kind,
        a=NodeSide(len(a.raw), a.digest, a.media_type) if a else None,
        b=NodeSide(len(b.raw), b.digest, b.media_type) if b else None,
    )
    if a is None or b is None:
        node.status = "only-b" if a is None else "only-a"
    return node


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def diff_images(ctx: TreeContext, sa: Source, sb: Source, node: Node) -> None:
    """Fill ``node`` with the comparison of two image graphs."""
    ia, ib = sa.image, sb.image
    node.kind = "image"
    path = node.path
    if ia.format != ib.format:
        node.notes.append(f"A is a {ia.format} layout, B a {ib.format} one: compared by graph")
    index = _blob_node(
        "index.json" if ia.format == "oci" else "manifest.json",
        _join(path, "index"),
        "index",
        ia.index,
        ib.index,
    )
    node.children.append(index)
    pairs = _pair_manifests(ia.manifests, ib.manifests)
    cascade = False
    for ma, mb in pairs:
        child = _manifest(ctx, sa, sb, ma, mb, path)
        child.settle()
        node.children.append(child)
        cascade |= child.status != "identical" and (ma is not None and mb is not None)
    _index_causes(ia, ib, pairs, index, cascade)
    _other_files(ctx, sa, sb, node)
    _same_name_blobs(sa, sb, node)


def _pair_manifests(xs: list[Manifest], ys: list[Manifest]) -> list[tuple[Manifest | None, Manifest | None]]:
    """Manifests paired by (role, platform), in order of appearance within the same key."""

    def keyed(ms: list[Manifest]) -> dict[tuple[str, str, int], Manifest]:
        seen: dict[tuple[str, str], int] = {}
        out = {}
        for m in ms:
            k = (m.role, m.platform)
            seen[k] = seen.get(k, -1) + 1
            out[(*k, seen[k])] = m
        return out

    ka, kb = keyed(xs), keyed(ys)
    keys = list(dict.fromkeys([*ka, *kb]))
    return [(ka.get(k), kb.get(k)) for k in keys]


def _index_causes(ia: Image, ib: Image, pairs: list, index: Node, cascade: bool) -> None:
    _index_only_causes(ia, ib, pairs, index, cascade)
    if ia.index is not None and ib.index is not None:
        never_silent(index, ia.index, ib.index)


def _index_only_causes(ia: Image, ib: Image, pairs: list, index: Node, cascade: bool) -> None:
    a, b = ia.index, ib.index
    if a is None or b is None or a.raw == b.raw:
        return
    only = [(x or y) for x, y in pairs if (x is None) != (y is None)]
    att = [m for m in only if m.role == "attestation"]
    if att:
        index.causes.append(
            NodeCause(
                "attestation",
                f"{len(att)} attestation manifest(s) on one side only (provenance / SBOM)",
                [
                    Evidence(
                        "attestation for",
                        m.annotations.get("vnd.docker.reference.digest", m.digest)
                        if m in [x for x, _ in pairs if x]
                        else None,
                        m.annotations.get("vnd.docker.reference.digest", m.digest)
                        if m in [y for _, y in pairs if y]
                        else None,
                    )
                    for m in att[:4]
                ],
            )
        )
    if a.parsed == b.parsed:
        index.causes.append(_json_bytes(a, b))
        return
    _annotation_causes(index, _strs(a.parsed, "annotations"), _strs(b.parsed, "annotations"))
    if cascade and not att:
        index.causes.append(
            NodeCause(
                "digest-cascade",
                "the index lists manifest digests that changed",
                [Evidence("index", _short(a.raw), _short(b.raw))],
                because=None,
            )
        )
    elif cascade:
        index.causes.append(NodeCause("digest-cascade", "the index also lists manifest digests that changed"))


def _d(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _l(x: Any) -> list:
    return x if isinstance(x, list) else []


def _s(x: Any) -> str | None:
    return None if x is None else str(x)


def _short(raw: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def _strs(d: Any, key: str) -> dict[str, str]:
    v = d.get(key) if isinstance(d, dict) else None
    return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else {}


def _json_bytes(a: Blob, b: Blob) -> NodeCause:
    def style(raw: bytes) -> str:
        s = raw.decode("utf-8", "replace")
        keys = (
            "sorted keys"
            if s == json.dumps(json.loads(s), sort_keys=True, separators=(",", ":"))
            else "as written"
        )
        return f"{len(raw):,} bytes, {'indented' if chr(10) in s.strip() else 'compact'}, {keys}"

    return NodeCause(
        "json-serialisation",
        "parsed JSON is equal; only its serialisation differs",
        [Evidence("serialisation", style(a.raw), style(b.raw))],
    )


def _annotation_causes(node: Node, aa: dict[str, str], ab: dict[str, str], what: str = "annotation") -> None:
    keys = sorted(k for k in set(aa) | set(ab) if aa.get(k) != ab.get(k))
    if not keys:
        return
    created = [k for k in keys if k == CREATED_ANNOTATION]
    if created:
        node.causes.append(
            NodeCause(
                "image-created",
                f"{what} {CREATED_ANNOTATION} differs",
                [Evidence(CREATED_ANNOTATION, aa.get(created[0]), ab.get(created[0]))],
            )
        )
    base = [k for k in keys if k in BASE_ANNOTATIONS]
    if base:
        node.causes.append(
            NodeCause(
                "base-image-drift",
                "the base image recorded in the annotations differs",
                [Evidence(k, aa.get(k), ab.get(k)) for k in base],
            )
        )
    rest = [k for k in keys if k not in created and k not in base]
    if rest:
        node.causes.append(
            NodeCause(
                "labels-annotations",
                f"{what}s differ: {', '.join(rest[:4])}",
                [Evidence(k, aa.get(k), ab.get(k)) for k in rest[:8]],
            )
        )


def _manifest(
    ctx: TreeContext, sa: Source, sb: Source, ma: Manifest | None, mb: Manifest | None, path: str
) -> Node:
    m = ma or mb
    assert m is not None
    label = f"{'attestation ' if m.role == 'attestation' else ''}manifest {m.platform}"
    node = _blob_node(label, _join(path, label), "manifest", ma.blob if ma else None, mb.blob if mb else None)
    if ma is not None and ma.blob is None:
        node.a = NodeSide(None, ma.digest, ma.media_type)
    if mb is not None and mb.blob is None:
        node.b = NodeSide(None, mb.digest, mb.media_type)
    if ma is None or mb is None:
        return node
    if ma.role == "attestation":
        if ma.blob and mb.blob and ma.blob.raw != mb.blob.raw:
            node.causes.append(
                NodeCause(
                    "attestation",
                    "the attestation manifests differ (provenance is regenerated by every build)",
                )
            )
        return node
    config = _config(ma, mb, node.path)
    config.settle()
    node.children.append(config)
    layers_changed = _layers(ctx, sa, sb, ma, mb, node)
    if _families(ma) != _families(mb):
        node.causes.append(
            NodeCause(
                "media-types",
                "Docker and OCI media types differ",
                [
                    Evidence("manifest", ma.media_type, mb.media_type),
                    Evidence(
                        "layers",
                        ", ".join(sorted(set(_layer_types(ma)))),
                        ", ".join(sorted(set(_layer_types(mb)))),
                    ),
                ],
            )
        )
    if ma.blob and mb.blob and ma.blob.raw != mb.blob.raw:
        if ma.blob.parsed == mb.blob.parsed:
            node.causes.append(_json_bytes(ma.blob, mb.blob))
        _annotation_causes(node, _strs(ma.blob.parsed, "annotations"), _strs(mb.blob.parsed, "annotations"))
        layer_moved = any(c.status != "identical" for c in node.children if c.kind == "layer")
        if config.status != "identical" or layers_changed or layer_moved:
            node.causes.append(
                NodeCause(
                    "digest-cascade",
                    "the manifest lists a config or layer digest that changed",
                    [Evidence("manifest digest", ma.digest[:23], mb.digest[:23])],
                )
            )
    if ma.blob and mb.blob:
        never_silent(node, ma.blob, mb.blob)
    return node


def never_silent(node: Node, a: Blob, b: Blob) -> None:
    """A JSON blob whose bytes differ and that no cause explains gets the differing keys, located."""
    if a.raw == b.raw or node.causes:
        return
    pa, pb = _d(a.parsed), _d(b.parsed)
    keys = sorted(k for k in set(pa) | set(pb) if pa.get(k) != pb.get(k)) or ["(not an object)"]
    node.causes.append(
        NodeCause(
            "unexplained",
            f"{a.name} differs in {', '.join(keys[:6])}",
            [Evidence(k, _short_json(pa.get(k)), _short_json(pb.get(k))) for k in keys[:6]],
        )
    )


def _short_json(x: Any) -> str | None:
    if x is None:
        return None
    text = json.dumps(x, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "…"


def _layer_types(m: Manifest) -> list[str]:
    return [x.media_type for x in m.layers]


def _families(m: Manifest) -> tuple[str, frozenset[str]]:
    """Docker or OCI, for the manifest and for its layers (what a media-type change is about)."""

    def fam(mt: str) -> str:
        return "docker" if "docker" in mt else "oci" if "oci" in mt else mt

    return fam(m.media_type), frozenset(fam(t) for t in _layer_types(m))


def _config(ma: Manifest, mb: Manifest, path: str) -> Node:
    a, b = ma.config, mb.config
    node = _blob_node("config", _join(path, "config"), "config", a, b)
    if a is None or b is None or a.raw == b.raw:
        return node
    if a.parsed == b.parsed:
        node.causes.append(_json_bytes(a, b))
        return node
    pa, pb = _d(a.parsed), _d(b.parsed)
    ha = [_s(h.get("created")) for h in _l(pa.get("history")) if isinstance(h, dict)]
    hb = [_s(h.get("created")) for h in _l(pb.get("history")) if isinstance(h, dict)]
    hist = [(i, x, y) for i, (x, y) in enumerate(zip(ha, hb, strict=False)) if x != y]
    pa_created, pb_created = _s(pa.get("created")), _s(pb.get("created"))
    if pa_created != pb_created or hist:
        ev = [Evidence("created", pa_created, pb_created)] if pa_created != pb_created else []
        ev += [Evidence(f"history[{i}].created", x, y) for i, x, y in hist[:4]]
        what = [f"created {pa_created} vs {pb_created}"] if pa_created != pb_created else []
        what += (
            [f"{len(hist)} history entr{'y' if len(hist) == 1 else 'ies'} with other times"] if hist else []
        )
        node.causes.append(NodeCause("image-created", "image " + "; ".join(what), ev))
    la = _strs(_d(pa.get("config")), "Labels")
    lb = _strs(_d(pb.get("config")), "Labels")
    _annotation_causes(node, la, lb, what="label")
    ra, rb = _l(_d(pa.get("rootfs")).get("diff_ids")), _l(_d(pb.get("rootfs")).get("diff_ids"))
    if ra != rb:
        ra, rb = list(ra or []), list(rb or [])
        moved = [
            i + 1
            for i in range(max(len(ra), len(rb)))
            if (ra[i : i + 1] or [None]) != (rb[i : i + 1] or [None])
        ]
        node.causes.append(
            NodeCause(
                "digest-cascade",
                f"the config lists the layers' DiffIDs, and layer {', '.join(map(str, moved[:6]))} changed",
                [Evidence(f"DiffID of layer {i}", _at(ra, i - 1), _at(rb, i - 1)) for i in moved[:3]],
            )
        )
    rest = sorted(
        k
        for k in set(pa) | set(pb)
        if k not in ("created", "history", "rootfs", "config") and pa.get(k) != pb.get(k)
    )
    ca, cb = _d(pa.get("config")), _d(pb.get("config"))
    rest += [f"config.{k}" for k in sorted(set(ca) | set(cb)) if k != "Labels" and ca.get(k) != cb.get(k)]
    if rest and not node.causes:
        node.causes.append(
            NodeCause(
                "unexplained",
                f"config fields differ: {', '.join(rest[:6])}",
                [Evidence(k, None, None) for k in rest[:6]],
            )
        )
    elif rest:
        node.notes.append(f"other config fields differ: {', '.join(rest[:6])}")
    never_silent(node, a, b)
    return node


def _at(xs: list, i: int) -> str | None:
    return str(xs[i])[:23] if 0 <= i < len(xs) else None


def _pair_layers(xs: list[Layer], ys: list[Layer]) -> list[tuple[Layer | None, Layer | None]]:
    """Layers with an equal DiffID pair first (a layer that moved still meets its twin), the others
    by position."""
    if len(xs) == len(ys) and all(x.diff_id == y.diff_id for x, y in zip(xs, ys, strict=True)):
        return list(zip(xs, ys, strict=True))
    by_diff = {y.diff_id: y for y in ys if y.diff_id}
    used: set[int] = set()
    out: list[tuple[Layer | None, Layer | None]] = []
    for x in xs:
        y = by_diff.get(x.diff_id) if x.diff_id else None
        if y is not None and id(y) not in used:
            used.add(id(y))
            out.append((x, y))
        else:
            out.append((x, None))
    rest = [y for y in ys if id(y) not in used]
    for i, (x, y) in enumerate(out):
        if y is None and rest:
            out[i] = (x, rest.pop(0))
    out += [(None, y) for y in rest]
    return out


def _layers(ctx: TreeContext, sa: Source, sb: Source, ma: Manifest, mb: Manifest, mnode: Node) -> bool:
    """Layer nodes under ``mnode``; True when some layer's content (DiffID) differs."""
    changed = False
    if len(ma.layers) != len(mb.layers):
        mnode.causes.append(
            NodeCause(
                "layer-structure",
                f"{len(ma.layers)} layers vs {len(mb.layers)}",
                [Evidence("layers", str(len(ma.layers)), str(len(mb.layers)))],
            )
        )
    differing: list[int] = []
    pairs = _pair_layers(ma.layers, mb.layers)
    moved = [(x.position, y.position) for x, y in pairs if x and y and x.position != y.position]
    if moved and len(ma.layers) == len(mb.layers):
        mnode.causes.append(
            NodeCause(
                "layer-structure",
                f"{len(moved)} layers are in another order",
                [
                    Evidence(f"layer {i + 1} of A", f"position {i + 1}", f"position {j + 1}")
                    for i, j in moved[:4]
                ],
            )
        )
    for i, (la, lb) in enumerate(pairs):
        ctx.advance(f"layer {i + 1}")
        node = _layer(ctx, sa, sb, la, lb, mnode.path, i)
        node.settle()
        mnode.children.append(node)
        if node.status != "identical":
            differing.append(i)
            if not any(c.id == "compression-only" for c in node.causes):
                changed = True
    if differing and differing[0] == 0 and len(differing) < len(pairs):
        lead = 0
        while lead < len(differing) and differing[lead] == lead:
            lead += 1
        if lead < len(pairs) and changed and not any(c.id == "base-image-drift" for c in mnode.causes):
            mnode.causes.append(
                NodeCause(
                    "base-image-drift",
                    f"the first {lead} layer(s) differ and later ones are equal: the base "
                    "image probably moved",
                    [Evidence("leading layers differing", str(lead), str(lead))],
                )
            )
    return changed


def _layer(
    ctx: TreeContext, sa: Source, sb: Source, la: Layer | None, lb: Layer | None, path: str, i: int
) -> Node:
    lay = la or lb
    assert lay is not None
    name = f"layer {i + 1}"
    node = Node(
        name,
        _join(path, name),
        "layer",
        a=NodeSide(la.size or None, la.digest, la.media_type) if la else None,
        b=NodeSide(lb.size or None, lb.digest, lb.media_type) if lb else None,
    )
    if la is None or lb is None:
        node.status = "only-b" if la is None else "only-a"
        return node
    ia, ib = sa.image, sb.image
    same_name = la.digest == lb.digest and la.name in ia.files and lb.name in ib.files
    if same_name and ia.verify(la.name) == ib.verify(lb.name) == la.digest.partition(":")[2]:
        return node  # the same blob, verified on both sides
    xa = la.load(ctx.opener, ia.store, sa.label)
    xb = lb.load(ctx.opener, ib.store, sb.label)
    for who, lay_, src in (("A", la, xa), ("B", lb, xb)):
        if src is None:
            node.status = "error"
            node.error = f"{who}: {lay_.error}"
            ctx.errors.append((node.path, f"{(sa if who == 'A' else sb).label}: {lay_.name}: {lay_.error}"))
            return node
        node.notes += [f"{who}: {n}" for n in src.notes]
    assert xa is not None and xb is not None
    if la.actual_digest != lb.actual_digest and la.actual_diff_id == lb.actual_diff_id:
        ev = [
            Evidence("blob digest", la.actual_digest[:23], lb.actual_digest[:23]),
            Evidence("DiffID", la.actual_diff_id[:23], lb.actual_diff_id[:23]),
        ]
        ca, cb = xa.compression, xb.compression
        ev += [
            Evidence(k, str(ca.get(k)), str(cb.get(k)))
            for k in sorted(set(ca) | set(cb))
            if ca.get(k) != cb.get(k)
        ]
        node.causes.append(
            NodeCause("compression-only", "same uncompressed layer (DiffID), different compressed blob", ev)
        )
        return node
    inner = diff_members(ctx, xa, xb, node.path, metadata=True)
    node.children = inner.children
    node.causes += [c for c in inner.causes if c.id != "compression-only"]
    return node


def _other_files(ctx: TreeContext, sa: Source, sb: Source, node: Node) -> None:
    """Files of the layouts outside the graph (oci-layout, unreferenced blobs, docker-save extras)."""
    ia, ib = sa.image, sb.image
    names = sorted((set(ia.files) - ia.referenced) | (set(ib.files) - ib.referenced))
    for name in names:
        fa, fb = ia.files.get(name), ib.files.get(name)
        child = Node(name, _join(node.path, name), "file")
        if fa is None or fb is None:
            child.status = "only-b" if fa is None else "only-a"
            if name.startswith("blobs/"):
                child.notes.append("not referenced by the image graph")
        else:
            ha, hb = ia.verify(name), ib.verify(name)
            child.a, child.b = NodeSide(fa.size, ha), NodeSide(fb.size, hb)
            if ha != hb:
                child.causes.append(
                    NodeCause(
                        "unexplained",
                        f"{name} differs (outside the image graph)",
                        [Evidence("sha256", ha[:16], hb[:16])],
                    )
                )
        node.children.append(child)


def _same_name_blobs(sa: Source, sb: Source, node: Node) -> None:
    """Blobs the graphs reach under the same name on both sides must hold the same bytes (and the
    bytes their digest names); the graph compared them by name only when it skipped them."""
    ia, ib = sa.image, sb.image
    for name in sorted(ia.referenced & ib.referenced):
        if name not in ia.files or name not in ib.files or not name.startswith("blobs/"):
            continue
        ha, hb = ia.verify(name), ib.verify(name)
        if ha == hb:
            continue
        want = name.rsplit("/", 1)[-1]
        child = Node(
            name,
            _join(node.path, name),
            "file",
            a=NodeSide(ia.files[name].size, ha),
            b=NodeSide(ib.files[name].size, hb),
        )
        bad = [w for w, h in (("A", ha), ("B", hb)) if h != want]
        child.causes.append(
            NodeCause(
                "unexplained",
                f"the blob's bytes differ under one digest; {' and '.join(bad) or 'neither'} "
                f"{'does' if len(bad) == 1 else 'do'} not match the digest (a corrupt or edited layout)",
                [Evidence("sha256", ha[:16], hb[:16])],
            )
        )
        node.children.append(child)


def outer_wrapper(node: Node, wrapper: Node) -> None:
    """The image tar's own entries differ (order, times, encoding) while its content may be equal."""
    causes = {c.id for c in wrapper.causes} | {c.id for n in wrapper.walk() for c in n.causes}
    node.causes.append(
        NodeCause(
            "outer-wrapper",
            "the archive around the image is written differently ("
            + ", ".join(sorted(causes - {"unexplained"}))
            + ")"
            if causes - {"unexplained"}
            else "the archive around the image is written differently",
            [
                Evidence(
                    "differing wrapper entries",
                    None,
                    str(sum(1 for c in wrapper.children if c.status != "identical")),
                )
            ],
        )
    )
    node.notes.append("compare the image graphs (index, manifests, layers), not the wrapper")
