"""The registry of executable formats: a new format is one module and one line in ``FORMATS``.

:func:`godet.read.image.open_images` asks each format in turn whether it recognises a file;
``Image.fmt`` finds an image's format by its key. Code that works on the section names of any
format (unit keys of a comparison) takes the union of one role over all formats with
:func:`section_names` / :func:`section_keys`.
"""

from __future__ import annotations

from functools import cache

from godet.read.elf import ELF
from godet.read.image import ExecutableFormat
from godet.read.macho import MACHO
from godet.read.pe import PE

#: Every format godet opens, in the order they are tried.
FORMATS: tuple[ExecutableFormat, ...] = (ELF, PE, MACHO)

_BY_KEY = {f.key: f for f in FORMATS}


def by_key(key: str) -> ExecutableFormat:
    """The format whose ``key`` (``Image.format``) is ``key``; KeyError for an unknown one."""
    return _BY_KEY[key]


def display_name(key: str) -> str:
    """The report name of a format key (``ExecutableFormat.name``); an unknown key as it is."""
    f = _BY_KEY.get(key)
    return f.name if f is not None else key


def recognise(head: bytes) -> ExecutableFormat | None:
    """The format of a file that starts with ``head``, or None."""
    return next((f for f in FORMATS if f.recognise(head)), None)


@cache
def section_keys(*roles: str) -> tuple[str, ...]:
    """The names or ``segment,name`` keys of ``roles`` in every format (in registry order)."""
    return tuple(dict.fromkeys(n for f in FORMATS for n in f.names(*roles)))


@cache
def section_names(*roles: str) -> frozenset[str]:
    """The bare section names (no segment) of ``roles`` in every format."""
    return frozenset(k.split(",")[-1] for k in section_keys(*roles))


def is_debug_name(name: str) -> bool:
    """Whether a bare section name is a DWARF section's name in some format."""
    return name.startswith(section_keys("debug-prefix", "zdebug-prefix"))


def in_debug_segment(key: str) -> bool:
    """Whether a ``segment,name`` key is in a format's DWARF segment (Mach-O ``__DWARF``)."""
    return key.startswith(tuple(f"{seg}," for seg in section_keys("debug-segment")))
