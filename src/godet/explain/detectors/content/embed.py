"""Content family: files embedded with go:embed in an ``embed.FS`` (found by table shape, also stripped)."""

from __future__ import annotations

from godet.explain.detectors.base import Claim, DiffContext, Evidence, Finding
from godet.explain.detectors.content.common import (
    State,
    digest,
    from_first_diff,
    mostly_text,
    preview,
    read_at,
    va_claims,
)

EMITS: frozenset[str] = frozenset(["embedded-content"])


def detect(ctx: DiffContext) -> list[Finding]:
    """``embed.FS`` file tables of both builds (found by their shape): the files whose data differs."""
    st = State.of(ctx)
    ta, tb = ctx.a.embed_tables, ctx.b.embed_tables
    if not ta or not tb:
        return []
    out = []
    for i, t in enumerate(ta):
        u = next((x for x in tb if t.symbol and x.symbol == t.symbol), tb[i] if i < len(tb) else None)
        if u is None:
            continue
        fa = {f.name: f for f in t.files}
        fb = {f.name: f for f in u.files}
        ev, claims, places = [], [], []
        for name in dict.fromkeys([*fa, *fb]):
            x, y = fa.get(name), fb.get(name)
            da = read_at(ctx.a, x.data_va, x.data_len) if x else None
            db = read_at(ctx.b, y.data_va, y.data_len) if y else None
            if x is not None and y is not None and da == db and x.hash == y.hash:
                continue
            c: list[Claim] = []
            for side, binary, f in (("a", ctx.a, x), ("b", ctx.b, y)):
                if f is not None:
                    c += va_claims(side, binary, f.data_va, f.data_len)
                    c += va_claims(side, binary, f.entry_va, f.entry_size)
            claims += c
            places.append(name)
            ev.append(Evidence(f"embedded file {name}", digest(da), digest(db)))
            if da is not None and db is not None and mostly_text(da) and mostly_text(db):
                ev.append(
                    Evidence(
                        f"{name} (start)", preview(from_first_diff(da, db)), preview(from_first_diff(db, da))
                    )
                )
        if not claims:
            continue
        st.take(claims)
        var = (t.symbol or "").removesuffix(".files") or "an embed.FS"
        out.append(
            Finding(
                "embedded-content",
                f"Files embedded with go:embed in {var} differ: "
                + ", ".join(places[:8])
                + (" …" if len(places) > 8 else "")
                + ".",
                ev[:16],
                claims,
                places=places[:50],
            )
        )
    return out
