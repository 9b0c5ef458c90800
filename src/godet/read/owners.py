"""Who owns a Go function: its package (from the symbol name) and that package's module.

A pclntab name is ``<import path>.<name>`` (``example.com/dep/sub.(*T).M``, ``runtime.gcStart``);
compiler-generated names (``type:eq.…``, ``go:buildid``) belong to no package. A package belongs to
the longest module path (main module or dependency, from buildinfo) that is a prefix of it; a path
whose first element has no dot is the standard library.
"""

from __future__ import annotations

from godet.read.buildinfo import BuildInfo

STD = "std"  # the standard library and runtime (the toolchain's code)
MAIN = "main"
GENERATED = "generated"


def package_of(func: str) -> str | None:
    """The import path of a function's package, or None for compiler-generated symbols."""
    if not func or func.startswith(("type:", "go:", "go.", "type.")) or ":" in func.split(".", 1)[0]:
        return None
    slash = func.rfind("/")
    dot = func.find(".", slash + 1)
    return func[:dot].replace("%2e", ".") if dot > 0 else None  # the linker escapes dots as %2e


def module_of(pkg: str | None, bi: BuildInfo | None) -> tuple[str, str]:
    """(kind, owner) of a package: main/dep with the module path, ("std", "std"), or ("generated", "")."""
    if pkg is None:
        return GENERATED, ""
    if pkg == "main":
        return MAIN, (bi.main.path if bi is not None and bi.main is not None else "main")
    if bi is not None:
        best = ""
        for m in ((bi.main,) if bi.main is not None else ()) + tuple(bi.deps):
            if (pkg == m.path or pkg.startswith(m.path + "/")) and len(m.path) > len(best):
                best = m.path
        if best:
            is_main = bi.main is not None and best == bi.main.path
            return (MAIN if is_main else "dep"), best
    first = pkg.split("/", 1)[0]
    if "." not in first:
        return STD, STD
    return "dep", pkg
