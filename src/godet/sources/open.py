"""Recognise a path's format and open it as a Source (the dispatcher of stage 0)."""

from __future__ import annotations

import hashlib
import os
import stat

from godet.errors import GodetError, UnreadableFile
from godet.sources.base import CHUNK, Member, Opener, Source, read_member, sniff_archive, sniff_executable


def _head(path: str, label: str) -> bytes:
    try:
        st = os.stat(path)
    except OSError as e:
        raise UnreadableFile(
            label, "no such file" if not os.path.lexists(path) else (e.strerror or str(e))
        ) from None
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(label, "not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            return f.read(512)
    except OSError as e:
        raise UnreadableFile(label, e.strerror or str(e)) from None


def open_source(opener: Opener, path: str, label: str | None = None, depth: int = 0) -> Source:
    """Open ``path`` as a Source: a directory, an archive or package, an image, or a single file."""
    label = label or path
    if os.path.isdir(path):
        from godet.sources.oci import looks_like_image, open_image_dir

        names = set(os.listdir(path))
        if looks_like_image(names) == "oci":
            return open_image_dir(path, label)
        from godet.sources.directory import read_directory

        return read_directory(opener, path, label, depth, open_source)
    head = _head(path, label)
    if not head:
        raise UnreadableFile(label, "empty file")
    kind = sniff_archive(head)
    if kind == "tar":
        return _open_plain_tar(opener, path, label, depth)
    if kind in ("gzip", "zstd", "xz", "bzip2"):
        from godet.sources.tar import read_tar

        with open(path, "rb") as f:
            src, _ = read_tar(
                opener, label, f, f"tar+{kind}", head, depth, packed=f.tell, open_nested=open_source
            )
        if not src.members and src.notes:
            raise GodetError(label, f"a {kind} stream that is not a readable tar: {src.notes[0]}")
        return src
    if kind == "zip":
        from godet.sources.zipsrc import read_zip

        return read_zip(opener, path, label, depth, open_source)
    if kind in ("ar", "rpm"):
        from godet.sources.packages import read_ar, read_rpm

        with open(path, "rb") as f:
            return (read_ar if kind == "ar" else read_rpm)(opener, f, label, depth, open_source)
    return single_file(opener, path, label)


def _open_plain_tar(opener: Opener, path: str, label: str, depth: int) -> Source:
    """An uncompressed tar: an image when it holds a layout or a docker-save manifest, else members."""
    import tarfile  # (only a tar file needs it)

    from godet.sources.oci import looks_like_image, open_image_tar
    from godet.sources.tar import read_tar

    try:
        with tarfile.open(path, "r:") as tf:
            names = {n.lstrip("./") if n.startswith("./") else n for n in tf.getnames()}
    except (tarfile.TarError, OSError):
        names = set()
    fmt = looks_like_image(names)
    if fmt:
        src = open_image_tar(path, label, fmt)
        outer, digest = _read_tar_file(opener, path, label, depth, read_tar, members=False)
        src.encoding, src.size, src.sha256 = outer.encoding, outer.size, digest
        src.members = outer.members  # the wrapper's entries (metadata only), for the outer-wrapper cause
        for name, m in outer.members.items():  # the wrapper read hashed every blob: reuse
            if name in src.image.files and m.kind == "file":
                src.image.files[name].sha256, src.image.files[name].size = m.sha256, m.size
        src.notes.extend(outer.notes)
        return src
    src, digest = _read_tar_file(opener, path, label, depth, read_tar)
    src.sha256 = digest
    return src


def _read_tar_file(opener, path, label, depth, read_tar, members: bool = True):  # type: ignore[no-untyped-def]
    with open(path, "rb") as f:
        return read_tar(
            opener, label, f, "tar", b"", depth, open_nested=open_source if members else None, spill=members
        )


def single_file(opener: Opener, path: str, label: str) -> Source:
    """A file that is no archive: one member named by its base name."""
    name = os.path.basename(path) or path
    src = Source(label, "file")
    with open(path, "rb") as f:
        m = Member(name, raw_name=name)
        m.sha256, m.data, m.spill, m.blocks, m.head, m.size = read_member(
            opener, label, f, os.path.getsize(path), False
        )
    m.spill = None
    src.members[name] = m
    src.size, src.sha256 = m.size, m.sha256
    return src


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["open_source", "single_file", "sniff_executable"]
