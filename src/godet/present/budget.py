"""Reports under a size limit (``--max-report-size``): whole blocks kept by importance, in document order.

A renderer cuts its output into :class:`Block` s, each self-contained (a ``<details>`` opened in a
block is closed in it), with a priority (0 = always kept: the verdict and the roots) and a label
naming what it holds. :func:`fit` keeps the most important blocks that fit, in their order, and ends
with a line saying what was left out. Nothing here computes a fact; it only chooses what to show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MARKDOWN_LIMIT = 65_536  # a GitHub pull-request comment


@dataclass(frozen=True, slots=True)
class Block:
    """A self-contained piece of a report."""

    text: str
    priority: int = 0
    label: str = ""  # what a left-out block holds, e.g. "consequence" (counted and pluralised)


def _plural(n: int, label: str) -> str:
    if n == 1:
        return f"1 {label}"
    if label.endswith("s"):
        return f"{n} {label}es"
    if label.endswith("y") and not label.endswith(("ay", "ey", "oy")):
        return f"{n} {label[:-1]}ies"
    return f"{n} {label}s"


def left_out(labels: Iterable[str]) -> str:
    """``"3 consequences, 2 member details"``: what the labels count, in the order first seen."""
    c = Counter(labels)
    return ", ".join(_plural(n, label) for label, n in c.items())


def fit(
    blocks: list[Block],
    limit: int | None,
    note: Callable[[str, int], str],
    sep: str = "\n",
) -> str:
    """``blocks`` joined by ``sep``, at most ``limit`` characters (None: all of them).

    Blocks are taken by priority (then order) while they fit; ``note(what, limit)`` makes the final
    line that names what was left out (it is always kept, so the limit must leave room for it).
    """
    whole = sep.join(b.text for b in blocks)
    if limit is None or len(whole) <= limit:
        return whole
    order = sorted(range(len(blocks)), key=lambda i: (blocks[i].priority, i))
    keep: set[int] = set()
    worst = note(left_out(b.label or "section" for b in blocks), limit)
    room = limit - len(worst) - len(sep)
    used = 0
    for i in order:
        size = len(blocks[i].text) + (len(sep) if keep else 0)
        if used + size <= room:
            keep.add(i)
            used += size
    dropped = [blocks[i].label or "section" for i in range(len(blocks)) if i not in keep]
    kept = [blocks[i].text for i in sorted(keep)]
    return sep.join([*kept, note(left_out(dropped), limit)])
