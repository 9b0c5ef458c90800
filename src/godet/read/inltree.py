"""The functions the compiler inlined into a Go function: its inline tree (FUNCDATA_InlTree).

Each function whose code holds inlined calls has, as funcdata 3, an array of inlined calls
(``runtime.inlinedCall``, ``src/internal/abi/symtab.go``); its PCDATA_InlTreeIndex table says
which entry each instruction belongs to. An entry names the inlined function by an offset into
funcnametab. From Go 1.18 funcdata are offsets from ``moduledata.gofunc`` (the symbol
``go:func.*``, ``go.func.*`` before 1.20), which lies in read-only data (inside the pclntab's
section from 1.26); before, they are addresses. Layouts from 1.16 are read (an older
``inlinedCall`` is not declared here).

The gofunc base comes from the symbol table, else from the moduledata words after ``gcbss``
(their number changed between releases of one pclntab layout): the candidate whose inline
trees name real functions for a sample of functions wins.
"""

from __future__ import annotations

from godet.errors import FormatError
from godet.read.binary import Binary
from godet.read.bytesview import ByteView, Struct
from godet.read.pclntab import Pclntab, moduledata_words

FUNCDATA_INLTREE = 3  # abi.FUNCDATA_InlTree
MAX_ENTRIES = 4096  # inlined calls read per function at most
MAX_FUNC_ID = 64  # abi.FuncID values are small
GOFUNC_SYMBOLS = ("go:func.*", "go.func.*")
CANDIDATE_WORDS = 12  # moduledata words after gcbss that may be gofunc
SAMPLE = 8  # functions whose inline trees test a gofunc candidate

# fmt: off
INLCALL_116 = Struct("inlinedCall 1.16", [("parent", 2, True), ("funcID", 1), ("pad", 1), ("file", 4, True),
                                          ("line", 4, True), ("nameOff", 4, True), ("parentPc", 4, True)])
INLCALL_120 = Struct("inlinedCall 1.20", [("funcID", 1), ("pad", 1), ("pad2", 2), ("nameOff", 4, True),
                                          ("parentPc", 4, True), ("startLine", 4, True)])
# fmt: on
INLCALL = {"1.16": INLCALL_116, "1.18": INLCALL_116, "1.20": INLCALL_120}  # by pclntab layout


def inlined_functions(binary: Binary, i: int) -> list[str] | None:
    """The names of the functions inlined into function ``i`` (pclntab order), in tree order; None
    when the tree cannot be read (a layout before 1.16, no gofunc base, a malformed entry)."""
    tab = binary.pclntab
    if tab is None or tab.version not in INLCALL:
        return None
    base = gofunc_base(binary)
    try:
        return _read(binary, tab, i, base)
    except FormatError:
        return None


def function_at_pc(binary: Binary, pc: int) -> str | None:
    """The name of the function whose source the instruction at ``pc`` comes from: the innermost
    call inlined there (its inline tree), else the function holding it; None outside Go code."""
    tab = binary.pclntab
    i = tab.index_at(pc) if tab is not None else None
    if tab is None or i is None:
        return None
    try:
        k = tab.inline_index_at(i, pc)
    except FormatError:
        k = None
    names = inlined_functions(binary, i) if k is not None else None
    return names[k] if names and 0 <= k < len(names) else tab.name(i)  # type: ignore[operator]


def _read(binary: Binary, tab: Pclntab, i: int, base: int | None) -> list[str] | None:
    n = tab.inline_tree_size(i)
    if n == 0:
        return []
    ref = tab.funcdata(i, FUNCDATA_INLTREE)
    if ref is None or (tab.layout.funcdata_u32 and base is None):
        return None
    addr = (base or 0) + ref if tab.layout.funcdata_u32 else ref
    st = INLCALL[tab.version]
    size = st.size(tab.ptr_size)
    n = min(n, MAX_ENTRIES)
    raw = binary.image.read_va(addr, n * size)
    if raw is None:
        return None
    view = ByteView(raw, tab.big_endian)
    span = int(tab.ends[i] - tab.entries[i])
    out = []
    for k in range(n):
        e = st.parse(view, k * size, tab.ptr_size)
        name = tab.name_at(e["nameOff"])
        if name is None or e["funcID"] >= MAX_FUNC_ID or not 0 <= e["parentPc"] < span:
            return None
        out.append(name)
    return out


def gofunc_base(binary: Binary) -> int | None:
    """The address of go:func.* (moduledata.gofunc; 1.18+), or None."""
    tab = binary.pclntab
    if tab is None or tab.version not in INLCALL:
        return None
    try:
        return _base(binary, tab)
    except FormatError:
        return None


def _base(binary: Binary, tab: Pclntab) -> int | None:
    """The address of go:func.* (1.18+; None before, where funcdata are addresses)."""
    if not tab.layout.funcdata_u32:
        return None
    memo = binary.image.memo
    if "gofunc" not in memo:
        memo["gofunc"] = _find_base(binary, tab)
    return memo["gofunc"]


def _find_base(binary: Binary, tab: Pclntab) -> int | None:
    for name in GOFUNC_SYMBOLS:
        sym = binary.symbols.by_name(name)
        if sym is not None and sym.addr:
            return sym.addr
    image = binary.image
    words = moduledata_words(image, tab, tab.layout.moduledata_gcdata_word + 2, CANDIDATE_WORDS)
    if words is None:  # (the words after gcdata, gcbss)
        return None
    readonly = [s for s in image.sections if s.alloc and not s.writable and not s.executable]
    candidates = [w for w in words if any(s.addr <= w < s.addr + s.size for s in readonly)]
    sample = _sample(tab)
    if not sample:
        return None
    for w in dict.fromkeys(candidates):
        if all(_plausible(binary, tab, i, w) for i in sample):
            return w
    return None


def _sample(tab: Pclntab) -> list[int]:
    """Up to SAMPLE functions, spread over the table, that hold inlined calls."""
    out: list[int] = []
    n = len(tab)
    step = max(1, n // (SAMPLE * 8))
    for i in range(0, n, step):
        try:
            if tab.inline_tree_size(i) and tab.funcdata(i, FUNCDATA_INLTREE) is not None:
                out.append(i)
        except FormatError:
            continue
        if len(out) >= SAMPLE:
            break
    return out


def _plausible(binary: Binary, tab: Pclntab, i: int, base: int) -> bool:
    try:
        got = _read(binary, tab, i, base)
    except FormatError:
        return False
    return bool(got)
