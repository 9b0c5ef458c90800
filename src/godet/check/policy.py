"""The check policy: which rules run at which level, required/forbidden build settings, the fail level.

Loaded with :mod:`tomllib` from ``--policy FILE``, else the nearest ``.godet.toml`` or
``pyproject.toml`` with a ``[tool.godet]`` table found upward from the working directory, else the
default policy (every rule at its default level, fail on ``error``). A policy file holds::

    fail-on = "warning"              # error | warning | info | never
    x-allow = ["main.date"]          # -X variables known to be reproducible (e.g. from SOURCE_DATE_EPOCH)

    [rules]                          # rule code or name -> error | warning | info | off
    GD301 = "off"
    dwarf = "info"

    [require]                        # build settings that must be recorded (value, list of values, "*")
    "-trimpath" = true
    CGO_ENABLED = "0"

    [forbid]                         # build settings that must not be recorded ("*" = any value)
    "-race" = "*"
    "-buildmode" = ["plugin", "shared"]

    [per-path-ignores]               # glob -> rule codes or names not reported for matching paths
    "dist/debug/*" = ["GD301", "dwarf"]

(in ``pyproject.toml`` the same keys live under ``[tool.godet]``, ``[tool.godet.rules]``, ...).
A mistake is a :class:`~godet.errors.GodetError` whose path names the file and line:
``policy.toml:7: unknown rule "GD999"``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import getpass
import os
import re
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from godet.errors import GodetError

LEVELS = ("info", "warning", "error")  # ascending severity
FAIL_LEVELS = ("error", "warning", "info", "never")
RULE_LEVELS = ("error", "warning", "info", "off")
ANY = "*"
POLICY_FILE = ".godet.toml"
KNOWN_KEYS = ("fail-on", "rules", "require", "forbid", "x-allow", "per-path-ignores")


def level_rank(level: str) -> int:
    """0 for info, 1 warning, 2 error; ``never`` ranks above every level."""
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


@dataclass(frozen=True)
class Policy:
    """What ``godet check`` enforces; ``levels`` overrides rule defaults (``off`` disables a rule)."""

    levels: dict[str, str] = field(default_factory=dict)  # rule code -> error|warning|info|off
    require: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> accepted values ("*": any)
    forbid: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> forbidden values ("*": any)
    x_allow: tuple[str, ...] = ()  # -X variable names whose values are known to be reproducible
    fail_on: str = "error"
    source: str | None = None  # the file it came from; None for the default policy
    local_identities: tuple[str, ...] = ()  # this machine's host and user names (for -X values)
    path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, rule codes) pairs

    def ignored_at(self, path: str) -> frozenset[str]:
        """The rule codes ``per-path-ignores`` switches off for ``path`` (a file, or ``ARCHIVE!member``).

        A glob matches the path as given, the path relative to the policy file's directory, or (for a
        member of an archive or image) the member's own path; ``*`` also matches ``/``.
        """
        if not self.path_ignores:
            return frozenset()
        candidates = {path, path.replace(os.sep, "/")}
        if "!" in path:
            candidates.add(path.rsplit("!", 1)[1])
        if self.source:
            base = os.path.dirname(os.path.abspath(self.source))
            with contextlib.suppress(ValueError):  # another drive on Windows
                rel = os.path.relpath(os.path.abspath(path.split("!", 1)[0]), base)
                candidates.add(rel.replace(os.sep, "/"))
        out: set[str] = set()
        for glob, codes in self.path_ignores:
            if any(
                fnmatch.fnmatchcase(c, glob) or fnmatch.fnmatchcase(c, glob.removeprefix("./"))
                for c in candidates
            ):
                out.update(codes)
        return frozenset(out)

    def with_rules(
        self,
        select: list[str] = (),
        ignore: list[str] = (),
        severity: list[str] = (),  # type: ignore[assignment]
    ) -> Policy:
        """The policy with command-line rule choices applied: ``select`` keeps only those rules,
        ``ignore`` switches rules off, ``severity`` (``CODE=LEVEL``) sets a rule's level.

        Rules are named by code or name; an unknown one is a GodetError naming the option.
        """
        from godet.check.rules import RULES

        levels = dict(self.levels)
        if select:
            chosen = {_rule_code(k, "--select") for k in select}
            for r in RULES:
                if r.code not in chosen:
                    levels[r.code] = "off"
                elif levels.get(r.code) == "off":
                    levels.pop(r.code)  # selected explicitly: on again, at its default level
        for k in ignore:
            levels[_rule_code(k, "--ignore")] = "off"
        for item in severity:
            key, sep, level = item.partition("=")
            if not sep or level.strip() not in RULE_LEVELS:
                raise GodetError(
                    "--severity",
                    f"expected RULE=LEVEL with LEVEL one of {', '.join(RULE_LEVELS)} (got {item!r})",
                )
            levels[_rule_code(key.strip(), "--severity")] = level.strip()
        return dataclasses.replace(self, levels=levels)

    def level_of(self, code: str, default: str) -> str | None:
        """The effective level of rule ``code`` (None when switched off)."""
        level = self.levels.get(code, default)
        return None if level == "off" else level

    def with_fail_on(self, level: str) -> Policy:
        """The same policy failing at ``level`` (error, warning, info or never)."""
        if level not in FAIL_LEVELS:
            raise ValueError(f"fail-on must be one of {', '.join(FAIL_LEVELS)}")
        return dataclasses.replace(self, fail_on=level)

    def fails(self, level: str) -> bool:
        """Whether a finding at ``level`` fails the job."""
        return self.fail_on != "never" and level_rank(level) >= level_rank(self.fail_on)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "fail_on": self.fail_on,
            "levels": dict(sorted(self.levels.items())),
            "require": {k: list(v) for k, v in self.require.items()},
            "forbid": {k: list(v) for k, v in self.forbid.items()},
            "x_allow": list(self.x_allow),
            "per_path_ignores": {g: list(c) for g, c in self.path_ignores},
        }


def _rule_code(key: str, option: str) -> str:
    """The code of the rule named ``key`` (code or name); a GodetError naming ``option`` otherwise."""
    from godet.check.rules import BY_CODE, BY_NAME, resolve_rule

    rule = resolve_rule(key)
    if rule is None:
        hint = _suggest(key, (*BY_CODE, *BY_NAME))
        raise GodetError(option, f'unknown rule "{key}"' + (f' (did you mean "{hint}"?)' if hint else ""))
    return rule.code


def split_names(values: tuple[str, ...] | list[str]) -> list[str]:
    """Repeated and comma-separated option values (``--ignore GD101,GD102 --ignore dwarf``) as one list."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def local_identities() -> tuple[str, ...]:
    """This machine's host name (and its first label) and the user name, for spotting them in -X values."""
    names: list[str] = []
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    for n in (host, host.split(".")[0]):
        if n and n not in names and n.lower() != "localhost":
            names.append(n)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in a container
        user = os.environ.get("USER", "")
    if user and user not in names:
        names.append(user)
    return tuple(n for n in names if len(n) >= 3)


def default_policy() -> Policy:
    """Every rule at its default level, failing on ``error``."""
    return Policy(local_identities=local_identities())


# --------------------------------------------------------------------------------------------
# discovery


def find_policy_file(start: str | os.PathLike[str]) -> tuple[Path, dict[str, Any], str] | None:
    """The nearest ``.godet.toml``, or ``pyproject.toml`` with ``[tool.godet]``, from ``start`` upward.

    Returns the file, its godet table and its text, or None.
    """
    here = Path(start).resolve()
    for d in (here, *here.parents):
        for name in (POLICY_FILE, "pyproject.toml"):
            p = d / name
            if not p.is_file():
                continue
            text, data = _read_toml(p)
            table = _godet_table(p, data, text, required=(name == POLICY_FILE))
            if table is not None:
                return p, table, text
    return None


def load_policy(policy_file: str | None = None, start: str | os.PathLike[str] | None = None) -> Policy:
    """The policy in ``policy_file``, else the nearest policy file above ``start`` (cwd), else the default."""
    if policy_file is not None:
        p = Path(policy_file)
        if not p.exists():
            raise GodetError(policy_file, "no such policy file")
        if not p.is_file():
            raise GodetError(policy_file, "policy is not a file")
        text, data = _read_toml(p, display=policy_file)
        table = _godet_table(p, data, text, required=True, display=policy_file)
        assert table is not None
        return parse_policy(table, text, policy_file, pyproject=_has_tool_godet(data))
    found = find_policy_file(start if start is not None else os.getcwd())
    if found is None:
        return default_policy()
    path, table, text = found
    return parse_policy(table, text, str(path), pyproject=path.name == "pyproject.toml")


def _read_toml(p: Path, display: str | None = None) -> tuple[str, dict[str, Any]]:
    shown = display or str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GodetError(shown, "policy file is not UTF-8 text") from None
    except OSError as e:
        raise GodetError(shown, f"cannot read policy file: {e.strerror or e}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, message = _toml_error_position(str(e))
        raise GodetError(f"{shown}:{line}" if line else shown, f"invalid TOML: {message}") from None


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$|\s*\(at end of document\)\s*$")


def _toml_error_position(message: str) -> tuple[int | None, str]:
    """The line named in a tomllib error message and the message without its position suffix."""
    m = _POSITION.search(message)
    if not m:
        return None, message
    text = message[: m.start()]
    if m.group(1):
        return int(m.group(1)), f"{text} (column {m.group(2)})"
    return None, f"{text} (at end of file)"


def _has_tool_godet(data: dict[str, Any]) -> bool:
    tool = data.get("tool")
    return isinstance(tool, dict) and "godet" in tool


def _godet_table(
    p: Path, data: dict[str, Any], text: str, required: bool, display: str | None = None
) -> dict[str, Any] | None:
    """``[tool.godet]`` when present; else the whole file (``.godet.toml``, ``--policy``), else None."""
    shown = display or str(p)
    if _has_tool_godet(data):
        table = data["tool"]["godet"]
        if not isinstance(table, dict):
            raise GodetError(_at(shown, _locate(text, "godet", ("tool",))), "tool.godet must be a table")
        return table
    if p.name == "pyproject.toml":
        if required:
            raise GodetError(shown, "has no [tool.godet] table")
        return None
    return data


# --------------------------------------------------------------------------------------------
# parsing and validation


def parse_policy(table: dict[str, Any], text: str, source: str, pyproject: bool = False) -> Policy:
    """Validate a godet table (the top level of ``.godet.toml`` or ``[tool.godet]``) into a Policy."""
    from godet.check.rules import resolve_rule

    prefix = ("tool", "godet") if pyproject else ()

    def fail(key: str, problem: str, tables: tuple[str, ...] = ()) -> GodetError:
        return GodetError(_at(source, _locate(text, key, prefix + tables)), problem)

    for key in table:
        if key not in KNOWN_KEYS:
            hint = _suggest(key, KNOWN_KEYS)
            raise fail(key, f'unknown key "{key}"' + (f' (did you mean "{hint}"?)' if hint else ""))

    fail_on = table.get("fail-on", "error")
    if fail_on not in FAIL_LEVELS:
        raise fail("fail-on", f"fail-on must be one of {', '.join(FAIL_LEVELS)} (got {fail_on!r})")

    levels: dict[str, str] = {}
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise fail("rules", "rules must be a table of rule = level")
    for key, level in rules.items():
        rule = resolve_rule(key)
        if rule is None:
            raise fail(key, f'unknown rule "{key}"', ("rules",))
        if level is False:
            level = "off"
        if level not in RULE_LEVELS:
            allowed = ", ".join(RULE_LEVELS)
            raise fail(key, f"rule {rule.code}: level must be one of {allowed} (got {level!r})", ("rules",))
        levels[rule.code] = level

    require = _settings(table, "require", fail)
    forbid = _settings(table, "forbid", fail)

    x_allow = table.get("x-allow", [])
    if not isinstance(x_allow, list) or not all(isinstance(x, str) for x in x_allow):
        raise fail("x-allow", 'x-allow must be a list of variable names (e.g. ["main.date"])')

    return Policy(
        levels=levels,
        require=require,
        forbid=forbid,
        x_allow=tuple(x_allow),
        fail_on=fail_on,
        source=source,
        local_identities=local_identities(),
        path_ignores=_path_ignores(table, fail),
    )


def _path_ignores(table: dict[str, Any], fail: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``per-path-ignores``: a table of glob -> list of rule codes or names."""
    from godet.check.rules import resolve_rule

    raw = table.get("per-path-ignores", {})
    if not isinstance(raw, dict):
        raise fail("per-path-ignores", 'per-path-ignores must be a table of "glob" = [rules]')
    out: list[tuple[str, tuple[str, ...]]] = []
    for glob, names in raw.items():
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise fail(
                glob,
                f'per-path-ignores "{glob}": the value must be a list of rule codes or names',
                ("per-path-ignores",),
            )
        codes = []
        for n in names:
            rule = resolve_rule(n)
            if rule is None:
                raise fail(glob, f'per-path-ignores "{glob}": unknown rule "{n}"', ("per-path-ignores",))
            codes.append(rule.code)
        out.append((glob, tuple(codes)))
    return tuple(out)


def _settings(table: dict[str, Any], name: str, fail: Any) -> dict[str, tuple[str, ...]]:
    """``require``/``forbid``: a table key -> value | [values] | "*", or (forbid) a list of keys."""
    raw = table.get(name, {})
    if isinstance(raw, list):
        if not all(isinstance(k, str) and k for k in raw):
            raise fail(name, f"{name} must be a table of setting = value, or a list of setting names")
        return {k: (ANY,) for k in raw}
    if not isinstance(raw, dict):
        raise fail(name, f"{name} must be a table of setting = value, or a list of setting names")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, (str, bool, int)) for v in values):
            raise fail(
                key, f'{name} "{key}": the value must be a string, boolean, number or a list of them', (name,)
            )
        out[key] = tuple(_setting_value(v) for v in values)
    return out


def _setting_value(v: str | bool | int) -> str:
    """TOML ``true``/``false``/numbers as buildinfo spells them ("true", "0")."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _suggest(key: str, known: tuple[str, ...]) -> str | None:
    import difflib

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _at(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _key_pattern(key: str) -> str:
    k = re.escape(key)
    return rf"(?:{k}|\"{k}\"|'{k}')"


def _locate(text: str, key: str, tables: tuple[str, ...] = ()) -> int | None:
    """The 1-based line where ``key`` is defined inside the table ``tables`` (best effort).

    Handles ``[a.b]`` headers with ``key = ...`` lines, dotted keys (``b.key = ...`` under ``[a]``)
    and inline tables; falls back to the first line that mentions the key, then the table header.
    """
    kp = _key_pattern(key)
    header = None
    current: tuple[str, ...] = ()
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        hm = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", stripped)
        if hm:
            current = tuple(p.strip().strip("\"'") for p in hm.group(1).split("."))
            if current == tables:
                header = i
            continue
        if not stripped or stripped.startswith("#"):
            continue
        # the key's own line, inside its table, possibly through a dotted key or an inline table
        if tables[: len(current)] == current:
            rest = tables[len(current) :]
            dotted = r"\s*\.\s*".join(_key_pattern(t) for t in (*rest, key))
            if re.match(rf"^\s*{dotted}\s*=", line):
                return i
            if rest and re.match(rf"^\s*{_key_pattern(rest[0])}\s*=.*[{{,]\s*{kp}\s*=", line):
                return i
        if current == tables and re.match(rf"^\s*{kp}\s*=", line):
            return i
    for i, line in enumerate(lines, 1):
        if re.search(rf"(?<![\w.-]){kp}(?![\w.-])", line) and not line.lstrip().startswith("#"):
            return i
    return header
