"""Go type descriptors: where they lie and the name each one gives its type.

The linker puts every type descriptor (``abi.Type``, ``src/internal/abi/type.go``) between
``runtime.types`` and ``runtime.etypes`` (one symbol ``type:*`` from Go 1.2x, so symbols do not
name them). A descriptor holds ``Str``, a NameOff from the types base, after two pointers, the
hash, four bytes of flags and kind, and two more pointers. The name there is a flags byte, a
varint length (Go 1.17 and later) and the bytes: ``*dep.Config``, ``map[string]int`` (packages
by their name, not their path; ``TFlagExtraStar`` means the stored name has a ``*`` too many).

Without symbols the range comes from moduledata: ``types`` follows ``gcbss`` in every layout from
1.16, and ``etypes`` is the next word after it (1.27 puts ``typedesclen`` between them).
"""

from __future__ import annotations

import re

from godet.read.binary import Binary
from godet.read.coderefs import code_refs
from godet.read.pclntab import moduledata_words

TFLAG_EXTRA_STAR = 1 << 1
MAX_NAME = 4096  # bytes of a type name read at most
VARINT_LAYOUTS = ("1.18", "1.20")  # pclntab layouts of releases whose names have a varint length
_PACKAGE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_]")


def types_range(binary: Binary) -> tuple[int, int] | None:
    """[runtime.types, runtime.etypes) as virtual addresses, or None when unknown."""
    memo = binary.image.memo
    if "types-range" not in memo:
        memo["types-range"] = _types_range(binary)
    return memo["types-range"]


def _types_range(binary: Binary) -> tuple[int, int] | None:
    lo, hi = binary.symbols.by_name("runtime.types"), binary.symbols.by_name("runtime.etypes")
    if lo is not None and hi is not None and 0 < lo.addr < hi.addr:
        return lo.addr, hi.addr
    tab = binary.pclntab
    image = binary.image
    words = moduledata_words(image, tab, tab.layout.moduledata_gcdata_word + 2, 3) if tab else None
    if words is None:
        return None
    types, *after = words
    sec = next((s for s in image.sections if s.alloc and s.addr <= types < s.addr + s.size), None)
    if sec is None or sec.executable:  # (Mach-O's __go_type lies in the writable __DATA_CONST)
        return None
    end = next((w for w in after if types < w <= sec.addr + sec.size), None)  # (not typedesclen)
    return (types, end) if end is not None else None


def type_name(binary: Binary, addr: int) -> str | None:
    """The name of the type whose descriptor is at ``addr`` (as reflect prints it), or None."""
    span = types_range(binary)
    tab = binary.pclntab
    if span is None or tab is None or tab.version not in VARINT_LAYOUTS or not span[0] <= addr < span[1]:
        return None
    image = binary.image
    ps = image.ptr_size
    head = image.read_va(addr, 4 * ps + 12)
    if head is None:
        return None
    order = "big" if image.big_endian else "little"
    tflag = head[2 * ps + 4]
    name_off = int.from_bytes(head[4 * ps + 8 : 4 * ps + 12], order, signed=True)
    raw = image.read_va(span[0] + name_off, 1 + 10 + MAX_NAME) if name_off > 0 else None
    if raw is None:
        return None
    length, shift, pos = 0, 0, 1
    while pos < 11:
        b = raw[pos]
        length |= (b & 0x7F) << shift
        pos += 1
        if b < 0x80:
            break
        shift += 7
    if not 0 < length <= MAX_NAME:
        return None
    name = raw[pos : pos + length].decode("utf-8", "replace")
    return name[1:] if tflag & TFLAG_EXTRA_STAR and name.startswith("*") else name


def package_names(type_string: str) -> set[str]:
    """The package names a type's name mentions (``map[string]*dep.Config`` -> ``{"dep"}``)."""
    return set(_PACKAGE.findall(type_string))


def types_loaded(binary: Binary, i: int) -> set[str]:
    """The names of the types whose descriptors function ``i`` (pclntab index) loads the address
    of (an allocation, a conversion to an interface, a type switch)."""
    tab = binary.pclntab
    span = types_range(binary)
    if tab is None or span is None or not 0 <= i < len(tab):
        return set()
    refs = code_refs(binary.image, (int(tab.entries[i]), int(tab.ends[i])))
    if refs is None:
        return set()
    hit = refs.targets[(refs.targets >= span[0]) & (refs.targets < span[1])]
    names = (type_name(binary, int(t)) for t in set(hit.tolist()))
    return {n for n in names if n}
