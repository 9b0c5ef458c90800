"""The hand-written part of the container causes' pages (docs.py turns each into a ``Prose``)."""

from __future__ import annotations

from typing import Any


def _P(**kw: Any) -> dict[str, Any]:
    return kw


_MEMBERS = (
    "The members detector (`explain/containers/members.py`) pairs the entries of both archives by path and "
)
_IMAGE = "The image detector (`explain/containers/image.py`) pairs manifests by platform and role, then "

PROSE_CONTAINERS: dict[str, dict[str, Any]] = {
    "image-created": _P(
        shows="The image config's `created` field and every `history[].created` entry hold the build time; "
        "manifests and indexes may carry `org.opencontainers.image.created`.",
        detects=_IMAGE + "compares the two configs field by field and the annotations key by key; it names "
        "the differing times as evidence.",
        references=("moby/buildkit#3421",),
    ),
    "file-mtime": _P(
        shows="Tar headers (and PAX `mtime` records) of otherwise equal entries hold different times.",
        detects=_MEMBERS + "compares each pair's stored mtime; with SOURCE_DATE_EPOCH set in the "
        "environment it says which side has times later than the epoch (not clamped). Across an archive it "
        "tells one clamped side from two sides clamped to different epochs. In a .deb or .rpm the epoch is "
        "the date of the latest changelog entry: times equal to each side's changelog date are a "
        "consequence of `package-version` when the versions differ, and so are older times of files taken "
        "from two different source packages. One source built in two recorded environments (a binNMU "
        "against newer Built-Using) whose times differ though neither is later than its side's epoch "
        "follows `build-dependencies`: the clamp held, the build tools set the file's own time (debhelper "
        "13.x gives NEWS.Debian its latest entry's time). `godet check` flags such times in images (GD601).",
    ),
    "file-owner": _P(
        shows="The uid, gid, uname or gname fields of a tar entry differ.",
        detects=_MEMBERS + "compares the four owner fields of each pair.",
    ),
    "file-mode": _P(
        shows="The permission bits of a tar entry differ (0666 vs 0644 is a git checkout or umask).",
        detects=_MEMBERS + "compares the permission bits of each pair and names umask-like differences.",
    ),
    "pax-records": _P(
        shows="PAX extended headers (`SCHILY.xattr.*`, extra time records) differ for an entry.",
        detects=_MEMBERS + "compares the PAX records of each pair (path, size, owner and mtime records "
        "excepted, which have their own causes).",
    ),
    "entry-order": _P(
        shows="The same entries appear in a different sequence in the archive.",
        detects=_MEMBERS + "compares the order of the entries both archives hold.",
        references=("chainguard-dev/apko#669",),
    ),
    "tar-encoding": _P(
        shows="Header formats (USTAR, PAX, GNU), mode type bits, `./` prefixes or the end-of-archive "
        "trailer and padding differ.",
        detects=_MEMBERS + "records each archive's header formats, `./` prefixes and trailer while reading "
        "it, and compares how each archive is written: the set of formats used, whether names carry `./`, "
        "and how it ends (the 1,024-byte end marker alone, or padded to 10,240-byte records). Entry counts "
        "and padding lengths follow the content and are not compared. It also compares the stored name "
        "and mode type bits of each pair of the same path.",
    ),
    "hardlink": _P(
        shows="An entry is a hard link (typeflag 1) on one side and a regular file on the other.",
        detects=_MEMBERS + "compares the entry types of each pair.",
        references=("containers/buildah#6297",),
    ),
    "whiteout": _P(
        shows="A `.wh.` entry exists in a layer of one image only.",
        detects=_MEMBERS + "names entries present on one side whose base name starts with `.wh.`.",
    ),
    "compression-only": _P(
        shows="Two layer blobs have different digests but decompress to the same tar (the same DiffID); "
        "the gzip header (MTIME, XFL, OS) or zstd frame flags often differ too.",
        detects=_IMAGE + "hashes each differing layer both compressed and uncompressed; equal DiffIDs with "
        "different blobs name this cause, with the header fields that differ. For plain compressed "
        "archives the members detector compares the gzip and zstd headers, and for zips (wheels, jars) the "
        "compression method of each pair of entries.",
    ),
    "media-types": _P(
        shows="The manifest or layer media types are Docker ones on one side and OCI ones on the other.",
        detects=_IMAGE + "compares the manifest and layer media types.",
    ),
    "json-serialisation": _P(
        shows="An index, manifest or config parses to the same JSON value, but its bytes differ.",
        detects=_IMAGE + "parses each differing JSON blob and compares the values.",
    ),
    "labels-annotations": _P(
        shows="Config labels or manifest/index annotations differ.",
        detects=_IMAGE + "compares labels and annotations key by key (creation time and base image have "
        "their own causes).",
        references=("freedomofpress/dangerzone#1074",),
    ),
    "base-image-drift": _P(
        shows="The leading layers differ while later ones are equal, or the base image annotations differ.",
        detects=_IMAGE + "looks at which layers differ: a run of differing layers from the first one, "
        "followed by equal layers, is a moved base image; so is a different "
        "`org.opencontainers.image.base.digest`.",
    ),
    "os-package-versions": _P(
        shows="`/var/lib/dpkg/status` or `/lib/apk/db/installed` list different package versions.",
        detects="The files detector (`explain/containers/files.py`) parses both package databases and "
        "lists the packages whose versions differ (e.g. libc6 2.36-9+deb12u3 vs 2.36-9+deb12u4).",
    ),
    "package-version": _P(
        shows="A .deb's control file has another `Version` (and `Source: name (version)`), an .rpm's header "
        "another `VERSION`, `RELEASE` or `EPOCH`, a wheel's `NAME-VERSION.dist-info/METADATA` another "
        "`Version`, an npm package's `package/package.json` (the manifest in the tarball's one top "
        "directory, whatever its name: npm strips it on install) another `version`; the changelog's "
        "first entry differs.",
        detects="The packages detector (`explain/containers/packages.py`) reads both control files (or rpm "
        "headers) and both changelogs' latest entries (`changelog.Debian.gz`, or a native package's "
        "`changelog.gz` when it starts with an entry of the source package; and a binNMU's "
        "`….amd64.gz`). A `+bN` suffix with the same source version is a "
        "binary-only rebuild: then only the changelog, the control file and the clamped times follow, and "
        "a generated text file (gzip-compressed too, up to 1 MB) whose only differing lines name each side's "
        "package version or build date (SOURCE_DATE_EPOCH, from its latest changelog entry, in the usual "
        "date formats: help2man's `June 2025`, DocBook's `06/22/2025`) follows it as well "
        "(`explain/containers/stamps.py`). Another changed file of one source version follows "
        "`build-dependencies` when the packages were built against other Go library versions (see "
        "there), and otherwise stays unexplained. With different "
        "source versions, changed files of the "
        "package (man pages, docs, symlinks) are labelled as the source change they are, a consequence of "
        "the version. The version also joins the causal model of each Go binary inside (its upstream "
        "version: a .deb's without epoch and Debian revision): the binary's changed code, literals, "
        "embedded files, module versions and VCS stamps follow it, and so does what only names the "
        "release, a build directory Debian names after it (`/build/reproducible-path/govarnam-1.9.0` vs "
        "`…-1.9.1`) or an `-X` version stamp, when putting one version for the other in each differing "
        "value makes them equal (a stamp that also holds the build time stays a root).",
    ),
    "build-dependencies": _P(
        shows="Debian's `Built-Using` / `Static-Built-Using` fields (for Go packages: the golang-X.Y "
        "toolchain and each library package) or an .rpm's `OPTFLAGS` differ.",
        detects="The packages detector compares the recorded fields. With the same package source (one "
        "version, or a binNMU of it), fields computed from the build machine (`Depends` and "
        "`Pre-Depends` from shlibs and debhelper, rpm's automatic `Requires`/`Provides`) are labelled as "
        "its consequence, and so are file times the build tools set (see `file-mtime`). Debian compiles "
        "Go programs in GOPATH mode, so their buildinfo "
        "records no module versions: a library that changed shows in the binary only as code. When both "
        "packages come from one source version (a binNMU, or one version built twice) and a Go library "
        "package's version in `Built-Using` differs, the diff of each Go binary inside is given this cause "
        "(the library packages and both versions as evidence, no bytes of its own), and the binary's "
        "`source-change`, `string-literal` and `embedded-content` become its consequences: the "
        "package's own source is the same, so the code, strings and embedded files that changed are "
        "the libraries'. With the same libraries (only golang-1.X differs), the program's own code is "
        "the same in both builds: a changed literal or functions one linker kept and the other did not "
        "follow the release (Debian's peg-go and protoc-gen-go, go1.19 vs go1.24, had them as roots). "
        "From another revision of one upstream version (gh 2.46.0-3 and -4, syncthing 1.29.5~ds1-2 and "
        "-5) built against other library versions, the changed code that lies outside the main "
        "package's repository (its path up to `/cmd/`; the standard library decides nothing, and a "
        "wrapper the compiler writes for a library's promoted method is the library's) follows this "
        "cause, and so do changed embedded files that only such packages use; code of the program's "
        "own repository, which a revision's patch may change, stays a root. From another upstream "
        "version they stay roots (of the package's version). In such a pair a "
        "packaged file that changed and that nothing else explains was made during the build (man pages "
        "and shell completions that cobra writes, for example) and is labelled a consequence of this "
        "cause, with the changed library packages as evidence; with the same libraries it stays "
        "unexplained. A generated text file of one source whose only differing lines are a build "
        "tool's version stamp (debhelper's `# Automatically added by dh_installsystemd/13.31` in "
        "maintainer scripts, `Generated by TOOL VERSION`) names this cause too, with the tool and both "
        "versions: the build environment had other tools. So does one that differs in more, when it "
        "names at its start the tool that generated it (`Generator:`, `Generated by`) in another version: "
        "Asciidoctor 2.0.26 writes an ellipsis otherwise than 2.0.23 (Debian's json2file-go); and so "
        "does a maintainer script whose every differing line lies in a snippet the tools added, each "
        "marked with another version of its tool (debhelper 13.31 adds dh_installsystemd's stop snippet "
        "to webhook's prerm twice, 13.24.2 once).",
    ),
    "package-build-stamp": _P(
        shows="An .rpm's header has another `BUILDTIME` or `BUILDHOST`.",
        detects="The packages detector reads the header tags. A build time equal to each side's latest "
        "changelog time (`%use_source_date_epoch_as_buildtime` with SOURCE_DATE_EPOCH from the changelog) "
        "between two versions is the version's consequence instead.",
    ),
    "package-metadata": _P(
        shows="A .deb's `md5sums` or `Installed-Size`, an .rpm's file digests, sizes, payload digest or "
        "signature header differ.",
        detects="The packages detector labels them when the payload differs too; each differing `md5sums` "
        "line (or wheel `RECORD` line) must belong to a file whose content differs, else the file stays "
        "unexplained. Any other file that parses as `sha256sum`/`md5sum` output (or the BSD `SHA256 (f) = "
        "d` form) is a checksum list (`explain/containers/checksums.py`): each differing line must name a "
        "file of the tree (beside the list, or from the root) whose sha256 is the listed digest on that "
        "side, and which differs between the sides or exists on one side only.",
    ),
    "attestation": _P(
        shows="The index lists attestation manifests (platform unknown/unknown, "
        "`vnd.docker.reference.type=attestation-manifest`) on one side, or different ones.",
        detects=_IMAGE + "pairs attestation manifests apart from image manifests and names those present "
        "on one side only or differing.",
        references=("moby/buildkit#3421",),
    ),
    "generated-files": _P(
        shows="dpkg/apt logs, ldconfig's aux-cache, apk scripts.tar or `.pyc` headers differ.",
        detects="The files detector (`explain/containers/files.py`) recognises these paths, and compares "
        "the header fields of `.pyc` files (flags, source mtime or hash, source size).",
    ),
    "layer-structure": _P(
        shows="The manifests list different numbers of layers.",
        detects=_IMAGE + "compares the layer counts and pairs layers by DiffID before position.",
    ),
    "outer-wrapper": _P(
        shows="The tar around an image (docker save, oci-archive) has different entry times, order or "
        "encoding.",
        detects="The members detector compares the wrapper's own entries (metadata only) after the image "
        "graph has been compared.",
    ),
    "digest-cascade": _P(
        shows="Config, manifest and index digests differ because a layer's content (or its compression) "
        "changed.",
        detects=_IMAGE + "labels the config, manifest and index differences that follow from changed layer "
        "digests as consequences.",
    ),
}
