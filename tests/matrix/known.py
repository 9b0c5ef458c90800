"""The matrix pairs today's engine gets wrong: THE one place they are listed (pair -> diagnosis).

Each is applied as ``pytest.mark.xfail(strict=True)``: when the engine is fixed the pair XPASSes,
the suite fails, and its entry must be removed here. The goal is an empty mapping. Diagnoses say
what godet answers against what the pair was built as (see docs/accuracy.md for the full table).
"""

from __future__ import annotations

KNOWN_FAILING: dict[str, str] = {}
