"""Container-level causes (archives, packages, OCI images), merged into the catalog by causes.py."""

from __future__ import annotations

from godet.explain.causes import Cause

F = "containers"
CONTAINER_CAUSES: list[Cause] = [
    Cause(
        "image-created",
        F,
        "Image creation time differs",
        "The image config's `created`, its `history[].created` entries or the "
        "`org.opencontainers.image.created` annotation record when the image was built.",
        "Set SOURCE_DATE_EPOCH (BuildKit ≥ 0.11), `buildah build --timestamp` / `--source-date-epoch`; ko "
        "and apko honour it too.",
    ),
    Cause(
        "file-mtime",
        F,
        "File modification times differ",
        "Entries are equal except for their modification time (or PAX mtime/atime/ctime records); times "
        "later than SOURCE_DATE_EPOCH are not clamped.",
        "Clamp file times: BuildKit `rewrite-timestamp=true`, `buildah --rewrite-timestamp`, "
        "`tar --mtime=@$SOURCE_DATE_EPOCH --clamp-mtime`, ko `KO_DATA_DATE_EPOCH`; for a wheel, build "
        "with SOURCE_DATE_EPOCH set (wheel, flit and distlib give every entry that time).",
    ),
    Cause(
        "file-owner",
        F,
        "File owner differs",
        "The uid, gid, user name or group name stored for an entry differs (the builder's user, or rootless "
        "vs root builds).",
        "Set owners explicitly: `COPY --chown`, `tar --owner=0 --group=0 --numeric-owner`.",
    ),
    Cause(
        "file-mode",
        F,
        "File permissions differ",
        "The permission bits of an entry differ: a different umask, or a git checkout giving 0666 vs 0644.",
        "Set modes explicitly (`COPY --chmod`, `tar --mode=go-w`) or fix the umask of the build.",
    ),
    Cause(
        "pax-records",
        F,
        "Extended attributes or PAX records differ",
        "PAX records (xattrs such as security.capability or SELinux labels, or extra time records) are "
        "present or different on one side.",
        "Build with the same privileges and filesystem; drop xattrs (`tar --no-xattrs`) unless needed.",
    ),
    Cause(
        "entry-order",
        F,
        "Archive entry order differs",
        "The same entries are stored in a different order (directory listing order of the build machine).",
        "Sort entries when archiving (`tar --sort=name`), or use a builder that does.",
    ),
    Cause(
        "tar-encoding",
        F,
        "Tar encoding differs",
        "The archive is written differently: USTAR/PAX/GNU headers, mode type bits, `./` name prefixes, or "
        "the end-of-archive trailer and record padding.",
        "Use the same archiver (and version) on both builds, e.g. `tar --format=pax`.",
    ),
    Cause(
        "hardlink",
        F,
        "Hard link vs copy",
        "An entry is a hard link on one side and a regular file with the same content on the other.",
        "Pin the builder version; archive with the same link detection.",
    ),
    Cause(
        "whiteout",
        F,
        "Whiteout differs",
        "A layer deletes a path (`.wh.name` or an opaque `.wh..wh..opq`) on one side only.",
        "Build both images from the same steps; squash the final stage if the builder differs.",
    ),
    Cause(
        "compression-only",
        F,
        "Compression differs only",
        "The uncompressed content is equal (same DiffID) but the compressed stream differs: gzip header "
        "MTIME/OS/XFL, level, encoder (zlib, zlib-ng, pigz) or zstd frame parameters; or a zip (wheel, "
        "jar) stores an entry with another method (stored vs deflate).",
        "Pin the compression: BuildKit `compression`, `compression-level`, `force-compression`; same zlib; "
        "for zips, the same writer and method for every entry.",
    ),
    Cause(
        "media-types",
        F,
        "Docker vs OCI media types",
        "The same content is described with Docker (`vnd.docker.*`) media types on one side and OCI ones on "
        "the other.",
        "Pick one: BuildKit `oci-mediatypes=true`, apko `--use-docker-mediatypes`.",
    ),
    Cause(
        "json-serialisation",
        F,
        "JSON serialised differently",
        "An index, manifest or config parses to the same value but its bytes differ (key order, spacing), "
        "which changes its digest.",
        "Produce both images with the same tool version.",
    ),
    Cause(
        "labels-annotations",
        F,
        "Labels or annotations differ",
        "Image labels or manifest annotations differ (builder versions such as io.buildah.version, image "
        "names, build info).",
        "Drop identity labels (`--identity-label=false`) or set them from pinned values.",
    ),
    Cause(
        "base-image-drift",
        F,
        "Base image changed",
        "The leading layers (or the recorded base image digest) differ: the base image tag moved between "
        "the builds.",
        "Pin `FROM` by digest (`FROM image@sha256:…`).",
    ),
    Cause(
        "os-package-versions",
        F,
        "OS package versions differ",
        "The package database in the image (dpkg status, apk installed) lists different versions: the "
        "package mirror moved between the builds.",
        "Pin packages: install from a snapshot archive (snapshot.debian.org), `apko lock`, or pin versions.",
    ),
    Cause(
        "package-version",
        F,
        "Package version differs",
        "The two packages are different versions: a .deb's `Version` (a `+bN` suffix is a binary-only "
        "rebuild of the same source), an .rpm's `VERSION`/`RELEASE`, a wheel's METADATA `Version`, an npm "
        "package.json `version`. Its "
        "changelog, its control fields "
        "and, when the source version differs, the packaged files follow; so do file times clamped to "
        "each side's SOURCE_DATE_EPOCH, which packaging tools take from the latest changelog entry.",
        "Compare builds of the same version: rebuild the package from the same source and changelog "
        "(`debrebuild`, `rpmbuild --rebuild` of the same .src.rpm; a wheel or an npm package from the "
        "release's tag).",
        scope="source",  # (another release is other source; the verdict of a Go binary inside says so)
    ),
    Cause(
        "build-dependencies",
        F,
        "Build dependency versions differ",
        "The package records what it was built against and it differs: Debian's `Built-Using` / "
        "`Static-Built-Using` (for Go, the golang-X.Y package and every Go library package), an .rpm's "
        "`OPTFLAGS`; with the same version, dependencies computed from the build machine's libraries "
        "(`Depends` from shlibs, rpm's automatic requires) follow.",
        "Rebuild in the recorded environment: the .buildinfo with `debrebuild` or a snapshot.debian.org "
        "mirror; for rpm, the same buildroot (mock with a pinned repository).",
    ),
    Cause(
        "package-build-stamp",
        F,
        "Package build time or host recorded",
        "An .rpm's header records when (`BUILDTIME`) and where (`BUILDHOST`) it was built.",
        "Set SOURCE_DATE_EPOCH with `%use_source_date_epoch_as_buildtime 1`, "
        "`%clamp_mtime_to_source_date_epoch 1` and a fixed `%_buildhost` (rpm ≥ 4.14).",
    ),
    Cause(
        "package-metadata",
        F,
        "Checksums and sizes follow the content",
        "Lists that describe other files change with them: a .deb's `md5sums` and `Installed-Size`, an "
        ".rpm's file digests, sizes, payload digest and signature header, a wheel's RECORD, a release's "
        "checksum list (SHA256SUMS, checksums.txt).",
        "Fix what changed the packaged files; these follow.",
        consequence=True,
    ),
    Cause(
        "attestation",
        F,
        "Attestation manifests differ",
        "The index holds attestation manifests (provenance, SBOM) on one side, or different ones; they are "
        "regenerated by every build and record build times.",
        "Compare per-platform manifests, or build with `--provenance=false --sbom=false`.",
    ),
    Cause(
        "generated-files",
        F,
        "Generated state differs",
        "Files that every build rewrites differ: dpkg and apt logs, ldconfig's aux-cache, apk scripts.tar, "
        "or `.pyc` headers recording source mtimes.",
        "Delete them in the build (`rm -rf /var/log/* /var/cache/ldconfig/aux-cache`); set SOURCE_DATE_EPOCH "
        "for checked-hash .pyc files.",
    ),
    Cause(
        "layer-structure",
        F,
        "Layer count differs",
        "The images have a different number of layers (squashed vs not, or different build steps).",
        "Build both images with the same steps and the same builder.",
    ),
    Cause(
        "outer-wrapper",
        F,
        "Archive around the image differs",
        "The image graph may be equal but the tar that wraps it (docker save, oci-archive) is written "
        "differently: entry order, times or encoding.",
        "Compare the image graphs (godet does) or export both with the same tool.",
    ),
    Cause(
        "digest-cascade",
        F,
        "Digest changed because content changed",
        "A changed layer changes its DiffID, hence the config, the manifest and the index digests; a "
        "compression change stops at the manifest.",
        "Fix the cause of the content change; the digests follow.",
        consequence=True,
    ),
]
