"""The HTML report of a real pair in headless Chromium (Debian's ``chromium``): no console errors,
no request leaves the file, a collapsed cause expands, and a screenshot for docs/.

``GODET_UPDATE_SCREENSHOT=1`` copies the screenshot to docs/img/diff-html.png (docs/reports.md and the
README show it); otherwise it goes to a temporary directory.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from godet.api import diff
from godet.present.base import renderer

GoPair = Callable[[str], tuple[Path, Path]]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)


def chromium(url: str, *args: str, cwd: Path) -> tuple[str, str]:
    """Run headless Chromium on ``url``; its stdout and its log (stderr, console messages included)."""
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=3000",
        *args,
        url,
    ]
    env = {**os.environ, "HOME": str(cwd)}  # its profile and crash dumps stay in the test's directory
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout, p.stderr


def console_errors(log: str) -> list[str]:
    return [ln for ln in log.splitlines() if "Uncaught" in ln or "ERROR:CONSOLE" in ln or ":CONSOLE(" in ln]


@pytest.fixture(scope="module")
def page(gopair: GoPair, tmp_path_factory: pytest.TempPathFactory) -> Path:
    a, b = gopair("two_causes")
    out = tmp_path_factory.mktemp("html") / "diff.html"
    out.write_text(renderer("diff", "html").render(diff(str(a), str(b), deep=True)), encoding="utf-8")
    return out


def test_the_console_check_sees_errors(tmp_path: Path) -> None:
    """The check below could fail: a page that throws is caught by it."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>throw new Error('boom')</script></body></html>")
    _, log = chromium(bad.as_uri(), "--dump-dom", cwd=tmp_path)
    assert console_errors(log), log[-2000:]


def test_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""\b(src|srcset|data)\s*=|url\(""", html)
    # the only addresses are links to the cause pages, which load nothing
    assert {m.group(1) for m in re.finditer(r'<a [^>]*href="(https?:[^"]*)"', html)}
    assert len(re.findall(r"https?://", html)) == len(re.findall(r'<a [^>]*href="https?://', html))
    assert html.count("<svg") >= 3  # the chart, the map of A and of B


def test_renders_without_console_errors_and_a_cause_expands(page: Path, tmp_path: Path) -> None:
    dom, log = chromium(page.as_uri(), "--dump-dom", cwd=tmp_path)
    assert not console_errors(log), console_errors(log)
    causes = re.findall(r'<details class="cause (root|consequence)" id="([^"]+)"([^>]*)>', dom)
    assert [r for r, _, _ in causes].count("root") == 2
    closed = [(i, attrs) for role, i, attrs in causes if role == "consequence"]
    assert closed and all("open" not in attrs for _, attrs in closed)  # collapsed until asked
    target = closed[0][0]
    # Following a link to something inside a collapsed cause expands it (no script on the page).
    dom2, log2 = chromium(page.as_uri() + f"#{target}-summary", "--dump-dom", cwd=tmp_path)
    assert not console_errors(log2)
    m = re.search(
        rf'<details class="cause consequence" id="{re.escape(target)}"([^>]*)>(.*?)</details>', dom2, re.S
    )
    assert m and "open" in m.group(1), m.group(1) if m else dom2[:500]
    assert f'id="{target}-summary"' in m.group(2) and "evidence" in m.group(2)  # its summary and evidence
    others = re.findall(
        r'<details class="cause consequence" id="(?!' + re.escape(target) + r'")[^"]+"([^>]*)>', dom2
    )
    assert others and all("open" not in a for a in others)


def test_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "diff-html.png"
    chromium(page.as_uri(), "--window-size=1200,1900", f"--screenshot={shot}", cwd=tmp_path)
    data = shot.read_bytes()
    assert data.startswith(PNG)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 1900)
    if os.environ.get("GODET_UPDATE_SCREENSHOT") == "1":
        dest = ROOT / "docs" / "img" / "diff-html.png"
        dest.parent.mkdir(exist_ok=True)
        shutil.copy(shot, dest)
