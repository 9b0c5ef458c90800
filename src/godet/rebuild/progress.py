"""A progress bar on stderr while the builds run (rich; only on a terminal)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int], Callable[[str], None]] | None]:
    """Yield a factory ``start(total) -> advance(label)``, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("rebuild"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def start(total: int) -> Callable[[str], None]:
            task = bar.add_task("", total=total)

            def advance(label: str) -> None:
                bar.update(task, advance=1, description=label)

            return advance

        yield start
