"""A pass-through reader that counts, optionally hashes, and keeps the tail of what it read."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

TAIL = 1 << 15


class CountingReader(io.RawIOBase):
    """Wraps a binary stream: ``count`` bytes read, ``digest()`` their sha256, ``tail`` the last ones."""

    def __init__(self, raw: BinaryIO, hashing: bool = True, limit: int | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.count = 0
        self.limit = limit  # read at most this many bytes (a member of an outer tar)
        self._h = hashlib.sha256() if hashing else None
        self.tail = b""

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def read(self, n: int | None = -1) -> bytes:
        if self.limit is not None:
            left = self.limit - self.count
            n = left if n is None or n < 0 else min(n, left)
            if n <= 0:
                return b""
        b = self.raw.read(n if n is not None else -1)
        if b:
            self.count += len(b)
            if self._h is not None:
                self._h.update(b)
            self.tail = (self.tail + b)[-TAIL:] if len(b) < TAIL else b[-TAIL:]
        return b

    def readable(self) -> bool:
        return True

    def drain(self) -> None:
        """Read to the end (so that the digest covers the whole stream)."""
        while self.read(1 << 20):
            pass

    def digest(self) -> str:
        return self._h.hexdigest() if self._h is not None else ""
