"""Link-time string variables (``-ldflags -X importpath.name=value``): parsed from the recorded
-ldflags, or read back from the linker's ``NAME.str`` symbols. One implementation for diff and check.

cmd/go splits -ldflags with cmd/internal/quoted.Split: fields separated by spaces, tabs, CR or LF;
a field that *starts* with ``'`` or ``"`` runs to the same quote, with no unescaping (quotes later in
a field count as characters). cmd/link's flag package then takes ``-X arg``, ``-X=arg`` (and ``--X``),
and addstrdata cuts ``arg`` at its first ``=``. So ``-X main.who=C:\\Users\\bob`` keeps its backslashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from godet.read.binary import Binary

SPACE = " \t\n\r"
# strings the linker sets itself (runtime.buildVersion, runtime.defaultGOROOT, and before Go 1.16
# runtime/internal/sys.DefaultGoroot; modinfo...) and compiler data
LINKER_STRINGS = ("runtime.", "runtime/", "internal/", "go:", "type:")
MAX_X_VALUE = 1 << 16  # a .str symbol larger than this is not read


def quoted_split(s: str) -> list[str]:
    """Split like cmd/internal/quoted.Split (an unterminated quote takes the rest, as a best effort)."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        while i < n and s[i] in SPACE:
            i += 1
        if i >= n:
            break
        if s[i] in "'\"":
            j = s.find(s[i], i + 1)
            if j < 0:
                out.append(s[i + 1 :])
                break
            out.append(s[i + 1 : j])
            i = j + 1
            continue
        j = i
        while j < n and s[j] not in SPACE:
            j += 1
        out.append(s[i:j])
        i = j
    return out


def _x_arg(args: list[str], i: int) -> tuple[str | None, int]:
    """(the -X argument at ``args[i]`` or None, the number of fields it spans)."""
    a = args[i]
    if a in ("-X", "--X"):
        return (args[i + 1], 2) if i + 1 < len(args) else (None, 1)
    if a.startswith(("-X=", "--X=")):
        return a.split("=", 1)[1], 1
    return None, 1


def parse_x_flags(ldflags: str) -> list[tuple[str, str]]:
    """The ``-X importpath.name=value`` assignments of an -ldflags string, in order."""
    args = quoted_split(ldflags)
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        arg, step = _x_arg(args, i)
        if arg is not None and "=" in arg:
            name, value = arg.split("=", 1)
            pairs.append((name, value))
        i += step
    return pairs


def without_x(ldflags: str) -> list[str]:
    """The fields of an -ldflags string other than its -X assignments."""
    args = quoted_split(ldflags)
    out: list[str] = []
    i = 0
    while i < len(args):
        arg, step = _x_arg(args, i)
        if arg is None and step == 1 and args[i] not in ("-X", "--X"):
            out.append(args[i])
        i += step
    return out


@dataclass(frozen=True)
class XString:
    """A ``NAME.str`` symbol (what cmd/link's addstrdata creates for -X) and its variable's header."""

    var: str  # importpath.name
    symbol: str  # importpath.name.str
    value: bytes  # the string, cut to the length its header records
    addr: int  # of the string data
    size: int  # of the .str symbol
    header_addr: int | None  # of the variable's {ptr, len} header
    header_size: int


def x_strings(binary: Binary) -> dict[str, XString]:
    """-X strings read back from the symbol table, by variable (empty without symbols)."""
    syms = binary.symbols
    if not syms.present:
        return {}
    im = binary.image
    ps = im.ptr_size
    order = "big" if im.big_endian else "little"
    out: dict[str, XString] = {}
    for s in syms.symbols:
        name = s.name
        if not name.endswith(".str") or s.size <= 0 or s.kind not in "Rr" or name.startswith(LINKER_STRINGS):
            continue
        var = name[: -len(".str")]
        raw = im.read_va(s.addr, s.size) if s.size <= MAX_X_VALUE else None
        if raw is None or "." not in var:
            continue
        hdr = syms.by_name(var)
        value = raw.rstrip(b"\0")
        if hdr is not None and hdr.size >= 2 * ps:
            h = im.read_va(hdr.addr, 2 * ps)
            if h is not None and int.from_bytes(h[:ps], order) == s.addr:
                n = int.from_bytes(h[ps:], order)
                if 0 <= n <= len(raw):
                    value = raw[:n]
        has_hdr = hdr is not None and hdr.size > 0
        out[var] = XString(
            var,
            name,
            value,
            s.addr,
            s.size,
            hdr.addr if has_hdr else None,  # type: ignore[union-attr]
            min(hdr.size, 2 * ps) if has_hdr else 0,
        )  # type: ignore[union-attr]
    return out


@dataclass(frozen=True)
class XValue:
    """A string variable set at link time, and where its value was read."""

    name: str
    value: str
    where: str


def x_values(binary: Binary) -> tuple[list[XValue], str]:
    """The -X assignments and their source: ``buildinfo`` (-ldflags), ``symbols`` or ``none``."""
    bi = binary.buildinfo
    ldflags = bi.setting("-ldflags") if bi is not None else None
    if ldflags is not None:
        return [XValue(n, v, "buildinfo -ldflags") for n, v in parse_x_flags(ldflags)], "buildinfo"
    if binary.symbols.present:
        return [
            XValue(x.var, x.value.decode("utf-8", "replace"), f"symbol {x.symbol}")
            for x in binary.x_strings.values()
        ], "symbols"
    return [], "none"
