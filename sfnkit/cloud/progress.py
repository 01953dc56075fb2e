"""How ``sfnkit.poll`` shows a long run: a rich progress bar per queue (rich is imported only then), a line on stderr
when rich is not installed, or the caller's own function of the report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfnkit.errors import PollError

if TYPE_CHECKING:
    from sfnkit.cloud.poller import PollReport

__all__ = ["Display", "display"]


class Display:
    """Told when a queue starts draining and after every batch, closed at the end. This one shows nothing."""

    def queue(self, name: str, waiting: int, report: PollReport) -> None:
        """Queue *name* starts, with about *waiting* messages on it; *report* is the run's so far."""

    def update(self, report: PollReport) -> None:
        """A batch ended; *report* is the run's so far."""

    def drained(self, report: PollReport) -> None:
        """The queue is done with (drained, or *until* said stop): *report* has its last dead-letters too."""

    def close(self) -> None:
        """The run ended (or failed)."""


class _Callback(Display):
    def __init__(self, notify: Callable[[PollReport], None]) -> None:
        self._notify = notify

    def update(self, report: PollReport) -> None:
        self._notify(report)


class _Lines(Display):
    def update(self, report: PollReport) -> None:
        print(f"sfnkit.poll: {report}", file=sys.stderr, flush=True)


def _done(report: PollReport) -> int:
    """Messages that left the queue for good: deleted after success, moved to the dead-letter queue, or expired."""
    return report.succeeded + report.dead_lettered + report.expired


class _Rich(Display):
    """A bar per queue: messages done of those waiting at the start, with the counts and the run's own time (the
    virtual clock's, by default: a wall-clock column would say nothing about a run that takes no real time)."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
            auto_refresh=False,  # redrawn after each batch: no refresh thread
        )
        self._progress.start()
        self._task: Any = None
        self._start: PollReport | None = None

    def queue(self, name: str, waiting: int, report: PollReport) -> None:
        self._start = report
        self._task = self._progress.add_task(f"poll {name}", total=waiting, counts="")
        self._progress.refresh()

    def update(self, report: PollReport) -> None:
        start = self._start
        assert start is not None  # queue() comes first
        done = _done(report) - _done(start)
        task = self._progress.tasks[-1]
        counts = (
            f"{report.succeeded - start.succeeded} ok, {report.failed - start.failed} failed, "
            f"{report.dead_lettered - start.dead_lettered} to DLQ, {report.batches - start.batches} batches, "
            f"{report.seconds:g} s"
        )
        # more may arrive while it drains: the total grows with what was done
        self._progress.update(self._task, completed=done, total=max(task.total or 0, done), counts=counts)
        self._progress.refresh()

    drained = update

    def close(self) -> None:
        self._progress.stop()


def display(progress: bool | Callable[[PollReport], None] | Any) -> Display:
    """What ``poll(progress=...)`` shows: False nothing; True a rich display on stderr (a line per batch without
    rich); a ``rich.console.Console`` the rich display there; a function is called with the report after each batch."""
    console = sys.modules.get("rich.console")  # a Console passed in means rich is loaded
    if console is not None and isinstance(progress, console.Console):
        return _Rich(progress)
    if progress is True:
        try:
            from rich.console import Console
        except ImportError:
            return _Lines()
        return _Rich(Console(stderr=True))
    if progress is False:
        return Display()
    if callable(progress):
        return _Callback(progress)
    raise PollError(
        f"poll(progress={progress!r}): pass True, False, a rich Console, or a function that receives the PollReport"
    )
