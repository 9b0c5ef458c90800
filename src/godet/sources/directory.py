"""Directories: every regular file and symlink under a root, without following links."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from typing import Any

from godet.sources.base import (
    Member,
    Opener,
    Source,
    open_nested_members,
    read_member,
    sniff_executable,
    wants_nested,
)


def walk(root: str) -> Iterator[tuple[str, os.stat_result]]:
    """(path, lstat) of every entry under ``root`` in sorted order, never through symlinks."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            p = os.path.join(dirpath, name)
            try:
                yield p, os.lstat(p)
            except OSError:
                continue


def link_leaves(root: str, path: str) -> bool:
    """Whether the symlink at ``path`` resolves outside ``root``."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) != real_root


def read_directory(
    opener: Opener, root: str, label: str, depth: int = 0, open_nested: Callable[..., Source] | None = None
) -> Source:
    """A directory as a Source: files (content hashed, executables and archives spilled) and symlinks."""
    src = Source(label, "directory")
    for i, (p, st) in enumerate(walk(root)):
        rel = os.path.relpath(p, root).replace(os.sep, "/")
        opener.count(label)
        m = Member(rel, index=i, mode=stat.S_IMODE(st.st_mode), mtime=st.st_mtime, raw_name=rel)
        if stat.S_ISLNK(st.st_mode):
            m.kind = "symlink"
            m.linkname = os.readlink(p)
            if link_leaves(root, p):
                src.notes.append(f"{rel}: symlink out of the tree ({m.linkname}); not followed")
        elif stat.S_ISREG(st.st_mode):
            m.size = st.st_size
            try:
                fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
                with os.fdopen(fd, "rb") as f:

                    def keep(h: bytes, n: str = rel) -> bool:
                        return sniff_executable(h) or (depth < opener.limits.max_depth and wants_nested(n, h))

                    m.sha256, m.data, m.spill, m.blocks, m.head, m.size = read_member(
                        opener, f"{label}/{rel}", f, st.st_size, keep
                    )
            except OSError as e:
                m.error = f"unreadable ({e.strerror or e})"
        else:
            continue
        src.members[rel] = m
    open_nested_members(src, opener, label, "/", depth, open_nested)
    return src


SKIP_NOT_EXECUTABLE = "not an executable"
SKIP_SYMLINK_OUT = "symlink out of the tree"
SKIP_UNREADABLE = "unreadable"


def sniff_file(path: str) -> bool:
    """Whether the file at ``path`` starts like an executable."""
    try:
        with open(path, "rb") as f:
            return sniff_executable(f.read(64))
    except OSError:
        return False


def walk_executables(root: str, skipped: Any) -> Iterator[str]:
    """Candidate executables under ``root`` in sorted order, never through symlinks (those leaving the
    tree are counted in ``skipped``; those inside it are reached under their real path anyway)."""
    real_root = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            try:
                st = os.lstat(p)
            except OSError:
                skipped[SKIP_UNREADABLE] += 1
                continue
            if stat.S_ISLNK(st.st_mode):
                if os.path.commonpath([real_root, os.path.realpath(p)]) != real_root:
                    skipped[SKIP_SYMLINK_OUT] += 1
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if not sniff_file(p):
                skipped[SKIP_NOT_EXECUTABLE] += 1
                continue
            yield p
