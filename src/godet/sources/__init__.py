"""Stage 0: sources. A path (file, directory, archive, package, OCI image) becomes a tree of members.

``open_source(opener, path)`` sniffs the format and returns a :class:`Source`; nested archives open
recursively; nothing is extracted outside the opener's private temp dir.
"""

from godet.sources.base import Limits, Member, Opener, Source, sniff_executable
from godet.sources.open import open_source

__all__ = ["Limits", "Member", "Opener", "Source", "open_source", "sniff_executable"]
