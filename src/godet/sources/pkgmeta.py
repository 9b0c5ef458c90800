"""What a package says about itself: a .deb's control fields and latest changelog entry, an .rpm's
header tags, a wheel's METADATA, an npm tarball's package.json. Read from an opened
:class:`Source`; shared by ``godet diff`` (explain/containers/packages.py), ``godet check`` (the
package rules) and ``godet inspect``."""

from __future__ import annotations

import array
import datetime as dt
import email.utils
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from godet.sources.base import Member, Source

# Recorded fields with a meaning of their own (deb control fields; rpm header tags by name).
ENVIRONMENT_FIELDS = ("Built-Using", "Static-Built-Using", "X-Cargo-Built-Using", "OPTFLAGS")
STAMP_FIELDS = ("BUILDTIME", "BUILDHOST", "COOKIE")
MAX_TEXT = 1 << 20  # control files, changelog heads and checksum lists are read up to this size
BINNMU = re.compile(r"\+b\d+$")
POST_RELEASE = re.compile(r"\.?post\d*$")  # PEP 440: 1.30.0.post18 is 1.30.0, repackaged
# debian/changelog as installed: changelog.Debian.gz, or changelog.gz in a native package (whose
# upstream is Debian), and a binNMU's changelog.Debian.<arch>.gz / changelog.<arch>.gz
CHANGELOG = re.compile(r"(^|/)usr/share/doc/[^/]+/changelog(\.Debian)?(\.[a-z0-9_-]+)?\.gz$")
CHANGELOG_HEAD = re.compile(r"^(\S+) \(([^)]+)\)", re.M)
CHANGELOG_TRAILER = re.compile(r"^ -- .*?>  (.+)$", re.M)


@dataclass
class PackageMeta:
    """What one package says about itself."""

    format: str  # deb | rpm
    name: str
    version: str
    source_version: str  # the version of the source it was built from
    fields: dict[str, str] = field(default_factory=dict)
    epoch: int | None = None  # the latest changelog entry's time (what SOURCE_DATE_EPOCH is set from)
    changelog: str = ""  # the latest changelog entry's version

    @property
    def upstream_version(self) -> str:
        """The version its authors gave the software: a .deb's source version without its epoch
        and Debian revision (Debian builds in a directory named after it), an .rpm's VERSION, a
        wheel's or npm package's version."""
        if self.format == "rpm":
            return self.fields.get("VERSION", self.version)
        if self.format == "wheel":
            return POST_RELEASE.sub("", self.version)  # (a post release repackages the same version)
        v = self.source_version
        if self.format == "deb":
            v = v.split(":", 1)[-1]
            v = v.rsplit("-", 1)[0] if "-" in v else v
        return v

    def epochs(self) -> tuple[int, ...]:
        """The SOURCE_DATE_EPOCH values its changelog can give. rpm stores a changelog day at noon;
        rpmbuild 4.18's `%source_date_epoch_from_changelog` sets that day's midnight (observed)."""
        if self.epoch is None:
            return ()
        if self.format == "rpm" and self.epoch % 86400 == 43200:
            return (self.epoch, self.epoch - 43200)
        return (self.epoch,)

    def at_epoch(self, t: float | None) -> bool:
        return t is not None and int(t) in self.epochs()

    def to_json(self) -> dict[str, Any]:
        """What ``godet inspect`` shows of the package holding a binary."""
        return {
            "format": self.format,
            "name": self.name,
            "version": self.version,
            "source_version": self.source_version,
            "latest_changelog": (
                {"version": self.changelog, "time": self.epoch} if self.epoch is not None else None
            ),
            "build_environment": {k: self.fields[k] for k in ENVIRONMENT_FIELDS if k in self.fields},
            "build_stamp": {k: self.fields[k] for k in STAMP_FIELDS if k in self.fields},
        }


# ------------------------------------------------------------------ reading


def parse_control(text: str) -> dict[str, str]:
    """The fields of a deb822 paragraph or a wheel's METADATA headers (continuation lines and
    repeated keys joined with newlines)."""
    out: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if not line.strip():
            if out:
                break
            continue
        if line[0] in " \t" and key:
            out[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            out[key] = out[key] + "\n" + value.strip() if key in out else value.strip()  # (repeated keys)
    return out


BUILT_USING_FIELDS = ("Built-Using", "Static-Built-Using")  # Debian: what a binary was compiled with
_BUILT_USING_ITEM = re.compile(r"\s*([a-z0-9][a-z0-9.+-]*)\s*\(=\s*([^)\s]+)\s*\)\s*")


def built_using(fields: dict[str, str]) -> dict[str, str]:
    """The source packages a .deb records it was compiled with (``name (= version)`` items of
    Built-Using and Static-Built-Using): name -> version."""
    out: dict[str, str] = {}
    for key in BUILT_USING_FIELDS:
        for item in (fields.get(key) or "").replace("\n", " ").split(","):
            m = _BUILT_USING_ITEM.fullmatch(item)
            if m:
                out[m.group(1)] = m.group(2)
    return out


def changelog_head(raw: bytes, source: str | None = None) -> tuple[str, int] | None:
    """(version, time) of the first entry of a gzipped Debian changelog; with ``source``, only when
    the changelog starts with an entry of that source package (a native package's changelog.gz
    is Debian's, an upstream changelog.gz beside changelog.Debian.gz is not)."""
    try:
        text = gzip.GzipFile(fileobj=io.BytesIO(raw)).read(64 << 10).decode("utf-8", "replace")
    except (OSError, EOFError, zlib.error):
        return None
    head, trailer = CHANGELOG_HEAD.search(text), CHANGELOG_TRAILER.search(text)
    if head is None or trailer is None:
        return None
    if source is not None and (head.start() != len(text) - len(text.lstrip()) or head.group(1) != source):
        return None
    try:
        when = email.utils.parsedate_to_datetime(trailer.group(1).strip())
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return head.group(2), int(when.timestamp())


def small_file(m: Member | None, limit: int = MAX_TEXT) -> bytes | None:
    """The bytes of a member no larger than ``limit`` (None for others)."""
    if m is None or m.kind != "file" or m.size > limit:
        return None
    return m.read()


def nested_source(src: Source, prefix: str) -> Source | None:
    for name, m in src.members.items():
        if name.startswith(prefix) and m.nested is not None:
            return m.nested
    return None


def deb_meta(src: Source) -> PackageMeta | None:
    """The control fields and latest changelog entry of a .deb."""
    control = nested_source(src, "control.tar")
    raw = small_file(control.members.get("control")) if control else None
    if raw is None:
        return None
    fields = parse_control(raw.decode("utf-8", "replace"))
    version = fields.get("Version", "")
    srcv = re.search(r"\(([^)]+)\)", fields.get("Source", ""))
    meta = PackageMeta(
        "deb",
        fields.get("Package", ""),
        version,
        srcv.group(1) if srcv else BINNMU.sub("", version),
        fields,
    )
    data = nested_source(src, "data.tar")
    heads = []
    for name, m in (data.members if data else {}).items():
        found = CHANGELOG.search(name)
        if found:
            body = small_file(m)
            words = (fields.get("Source") or meta.name).split()
            source = None if found.group(2) else (words[0] if words else "")
            head = changelog_head(body, source) if body else None
            if head is not None:
                heads.append(head)
    if heads:
        meta.changelog, meta.epoch = max(heads, key=lambda h: h[1])
    return meta


# rpm header tags by number (rpmtag.h); the type decides how a value is read.
RPM_TAGS = {
    1000: "NAME",
    1001: "VERSION",
    1002: "RELEASE",
    1003: "EPOCH",
    1004: "SUMMARY",
    1005: "DESCRIPTION",
    1006: "BUILDTIME",
    1007: "BUILDHOST",
    1009: "SIZE",
    1010: "DISTRIBUTION",
    1011: "VENDOR",
    1014: "LICENSE",
    1015: "PACKAGER",
    1016: "GROUP",
    1020: "URL",
    1021: "OS",
    1022: "ARCH",
    1028: "FILESIZES",
    1030: "FILEMODES",
    1033: "FILERDEVS",
    1034: "FILEMTIMES",
    1035: "FILEDIGESTS",
    1036: "FILELINKTOS",
    1037: "FILEFLAGS",
    1039: "FILEUSERNAME",
    1040: "FILEGROUPNAME",
    1044: "SOURCERPM",
    1045: "FILEVERIFYFLAGS",
    1047: "PROVIDENAME",
    1048: "REQUIREFLAGS",
    1049: "REQUIRENAME",
    1050: "REQUIREVERSION",
    1064: "RPMVERSION",
    1080: "CHANGELOGTIME",
    1081: "CHANGELOGNAME",
    1082: "CHANGELOGTEXT",
    1094: "COOKIE",
    1095: "FILEDEVICES",
    1096: "FILEINODES",
    1097: "FILELANGS",
    1112: "PROVIDEFLAGS",
    1113: "PROVIDEVERSION",
    1116: "DIRINDEXES",
    1117: "BASENAMES",
    1118: "DIRNAMES",
    1122: "OPTFLAGS",
    1124: "PAYLOADFORMAT",
    1125: "PAYLOADCOMPRESSOR",
    1126: "PAYLOADFLAGS",
    1132: "PLATFORM",
    1140: "FILECOLORS",
    1142: "CLASSDICT",
    5008: "LONGSIZE",
    5011: "FILEDIGESTALGO",
    5062: "ENCODING",
    5092: "PAYLOADDIGEST",
    5093: "PAYLOADDIGESTALGO",
    5097: "PAYLOADDIGESTALT",
}
FIRST_DATA_TAG = 1000  # below: the header's own regions and i18n table, which follow its layout


MAX_TAGS = 4096  # index entries read from one header
MAX_ITEMS = 100_000  # values read from one tag (file lists of big packages stay whole)
MAX_HEADER_TEXT = 16 << 20  # rpm headers larger than this are not read


def rpm_header_fields(blob: bytes) -> dict[str, str]:
    """The data tags of an rpm header (16-byte preamble, index entries, data store) as text, by
    name (``TAG<n>`` for a number this table does not name). Bounded: at most MAX_TAGS entries and
    MAX_ITEMS values a tag, so a hostile header costs linear time."""
    out: dict[str, str] = {}
    if len(blob) < 16:
        return out
    n, size = int.from_bytes(blob[8:12], "big"), int.from_bytes(blob[12:16], "big")
    store = blob[16 + 16 * n : 16 + 16 * n + size]
    budget = len(store) + (1 << 20)  # tags of a sound header share no bytes; overlapping ones stop here
    for i in range(min(n, (len(blob) - 16) // 16, MAX_TAGS)):
        tag, typ, off, count = (
            int.from_bytes(blob[16 + 16 * i + 4 * k : 20 + 16 * i + 4 * k], "big") for k in range(4)
        )
        if tag < FIRST_DATA_TAG or off >= len(store):
            continue
        value, used = _rpm_value(store, typ, off, min(count, MAX_ITEMS), budget)
        out[RPM_TAGS.get(tag, f"TAG{tag}")] = value
        budget -= used
        if budget <= 0:
            break
    return out


INT_TYPES = {2: "B", 3: "H", 4: "I", 5: "Q"}  # rpm CHAR, INT16, INT32, INT64 (big-endian)


def _rpm_value(store: bytes, typ: int, off: int, count: int, budget: int) -> tuple[str, int]:
    """One tag's value as text, and the number of store bytes it took (at most ``budget``)."""
    code = INT_TYPES.get(typ)
    if code is not None:  # integers
        arr = array.array(code)
        count = min(count, (len(store) - off) // arr.itemsize, budget // arr.itemsize)
        arr.frombytes(store[off : off + arr.itemsize * count])
        if sys.byteorder == "little":
            arr.byteswap()
        return " ".join(map(str, arr)), arr.itemsize * count
    if typ == 7:  # binary
        raw = store[off : off + min(count, budget)]
        return raw.hex(), len(raw)
    items, start = [], off  # string (one), string array and i18n string (count), NUL-terminated
    limit = min(len(store), off + budget)
    for _ in range(1 if typ == 6 else count):
        end = store.find(b"\x00", off, limit)
        end = limit if end < 0 else end
        items.append(store[off:end].decode("utf-8", "replace"))
        off = end + 1
        if off >= limit:
            break
    return "\n".join(items), max(off - start, 1)


def rpm_meta(src: Source) -> PackageMeta | None:
    """The header tags of an .rpm; its epoch is the newest changelog time."""
    raw = small_file(src.members.get("[rpm header]"), MAX_HEADER_TEXT)
    if raw is None:
        return None
    fields = rpm_header_fields(raw)
    if "NAME" not in fields:
        return None
    version = fields.get("VERSION", "") + "-" + fields.get("RELEASE", "")
    if fields.get("EPOCH"):
        version = f"{fields['EPOCH']}:{version}"
    meta = PackageMeta("rpm", fields["NAME"], version, version, fields)
    times = [int(t) for t in fields.get("CHANGELOGTIME", "").split() if t.isdigit()]
    if times:
        meta.epoch = max(times)
        meta.changelog = version
    return meta


WHEEL_METADATA = re.compile(r"^[^/]+\.dist-info/METADATA$")


def wheel_meta(src: Source) -> PackageMeta | None:
    """The core metadata of a wheel (its ``NAME-VERSION.dist-info/METADATA`` headers)."""
    member = next((m for name, m in src.members.items() if WHEEL_METADATA.match(name)), None)
    raw = small_file(member)
    if raw is None:
        return None
    fields = parse_control(raw.decode("utf-8", "replace"))
    if "Name" not in fields or "Version" not in fields:
        return None
    return PackageMeta("wheel", fields["Name"], fields["Version"], fields["Version"], fields)


NPM_MANIFEST = "package/package.json"  # npm pack puts every file under package/


def npm_manifest(names: Collection[str]) -> str | None:
    """The member name of an npm tarball's manifest: ``package.json`` in the one top-level directory
    that holds every member (``npm pack`` names it ``package/``; tarballs published by other tools
    name it otherwise, turbo-linux-64 1.10's ``turbo-linux-64/``, which npm strips alike)."""
    if NPM_MANIFEST in names:
        return NPM_MANIFEST
    tops = {n.lstrip("./").split("/", 1)[0] for n in names} - {""}
    if len(tops) != 1:
        return None
    name = f"{tops.pop()}/package.json"
    return name if name in names else None


def npm_meta(src: Source) -> PackageMeta | None:
    """The manifest of an npm package tarball (see npm_manifest), top-level fields as text."""
    manifest = npm_manifest(src.members)
    raw = small_file(src.members.get(manifest)) if manifest else None
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("name"), str)
        or not isinstance(doc.get("version"), str)
    ):
        return None
    fields = {str(k): v if isinstance(v, str) else json.dumps(v, sort_keys=True) for k, v in doc.items()}
    return PackageMeta("npm", doc["name"], doc["version"], doc["version"], fields)


def package_meta(src: Source) -> PackageMeta | None:
    if src.kind == "deb":
        return deb_meta(src)
    if src.kind == "rpm":
        return rpm_meta(src)
    if src.kind == "zip":
        return wheel_meta(src)
    if src.kind.startswith("tar"):
        return npm_meta(src)
    return None
