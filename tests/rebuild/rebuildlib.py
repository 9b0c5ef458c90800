"""Helpers for the rebuild tests: a private copy of a testdata module and the environment to build it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from gobuild import TESTDATA

GIT_DATE = "2026-11-20T10:00:00+00:00"


def copy_module(name: str, dest: Path, git: bool = False) -> Path:
    """testdata/<name> copied to ``dest/<name>`` (outside any repository), optionally a clean git repo."""
    work = dest / name
    shutil.copytree(TESTDATA / name, work)
    if git:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "GIT_AUTHOR_DATE": GIT_DATE,
            "GIT_COMMITTER_DATE": GIT_DATE,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "test"]):
            subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=work, env=env, check=True)
    return work


def user_env(**extra: str) -> dict[str, str]:
    """The caller's environment without Go/cgo settings, plus offline module settings and ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GO", "CGO_")) and k not in ("CC", "CXX", "SOURCE_DATE_EPOCH")
    }
    env.update(
        {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOSUMDB": "off", "GOENV": "off", "CGO_ENABLED": "0"}
    )
    env.update(extra)
    return env
