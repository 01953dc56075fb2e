"""Time for an execution: a virtual clock (waits, retries and timeouts are instant) or the real one.

Time lives on a ``Timeline``: one per thread of control (the execution, each Parallel branch, each Map
iteration). A branch starts at its parent's time and the parent resumes at the latest end of its branches, so
on the virtual clock concurrent branches overlap in time just as they do on AWS, even when they are run one
after the other.

A Lambda handler that calls ``time.sleep(s)`` while the virtual clock runs it does not sleep: its timeline
advances by ``s`` seconds (``time.sleep`` is wrapped once, process-wide, by a thin function that defers to the
real ``sleep`` on every thread that is not running a handler on the virtual clock). A handler that sleeps past
its Task's ``TimeoutSeconds`` (or the execution's) is stopped at that instant, which is how a Lambda that sleeps
60 s under a 5 s timeout times out at once. Handlers that bound ``sleep`` before the first run
(``from time import sleep``) sleep for real.
"""

from __future__ import annotations

import math
import operator
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Final, Literal, SupportsIndex

__all__ = [
    "Clock",
    "ClockName",
    "RealClock",
    "SleptPastDeadline",
    "Timeline",
    "VirtualClock",
    "enter_handler",
    "handler_sleeps_on",
    "leave_handler",
    "make_clock",
]

ClockName = Literal["virtual", "real"]
NO_DEADLINE: Final = float("inf")


class Timeline:
    """The current time (epoch seconds) of one thread of control."""

    __slots__ = ("now",)

    def __init__(self, now: float) -> None:
        self.now = now

    def __repr__(self) -> str:
        return f"Timeline({self.now!r})"


class SleptPastDeadline(BaseException):
    """Raised inside a handler whose virtual sleep passes its deadline (a BaseException so ``except Exception``
    in the handler cannot swallow it; one that swallows even this has still used up its time: callers check
    ``timeline.now >= deadline`` when the handler returns)."""


class Clock:
    """How an execution reads and spends time."""

    virtual: bool = True

    def start(self) -> float:
        """The execution's start time (epoch seconds)."""
        raise NotImplementedError

    def tick(self, timeline: Timeline) -> float:
        """Bring *timeline* up to date (the real clock reads the wall clock) and return its time."""
        return timeline.now

    def sleep(self, timeline: Timeline, seconds: float) -> None:
        """Spend *seconds* on *timeline* (the virtual clock just moves it forward)."""
        raise NotImplementedError

    def stop(self) -> None:
        """The execution that called ``start()`` on this thread has finished (a shared clock lets it go)."""


class VirtualClock(Clock):
    """Simulated time: starts at *start* (default: the wall clock when the run begins) and never sleeps.

    *start* is an aware ``datetime`` or epoch seconds. A fixed start (with ``run(seed=...)``) makes a run's
    history the same byte for byte on any day, on any machine.
    """

    virtual = True

    def __init__(self, start: datetime | float | None = None) -> None:
        self._start = None if start is None else epoch_seconds(start, "VirtualClock(start=...)")

    def start(self) -> float:
        return time.time() if self._start is None else self._start

    def sleep(self, timeline: Timeline, seconds: float) -> None:
        if seconds > 0:
            timeline.now += seconds


class RealClock(Clock):
    """Wall-clock time: waits and retry intervals really sleep."""

    virtual = False

    def start(self) -> float:
        return time.time()

    def tick(self, timeline: Timeline) -> float:
        timeline.now = now = time.time()
        return now

    def sleep(self, timeline: Timeline, seconds: float) -> None:
        if seconds > 0:
            _real_sleep(seconds)
        timeline.now = time.time()


def epoch_seconds(start: datetime | float, where: str) -> float:
    """*start* (an aware datetime or epoch seconds) as epoch seconds; a clear error for anything else."""
    if isinstance(start, datetime):
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(
                f"{where} got the naive datetime {start.isoformat()}: give it a time zone, "
                "e.g. datetime(2024, 1, 1, tzinfo=timezone.utc)."
            )
        return start.timestamp()
    if isinstance(start, int | float) and not isinstance(start, bool) and math.isfinite(start):
        return float(start)
    raise TypeError(
        f"{where} must be an aware datetime (e.g. datetime(2024, 1, 1, tzinfo=timezone.utc)) or epoch seconds; "
        f"got {start!r}."
    )


def make_clock(clock: ClockName | Clock, start: datetime | None = None) -> Clock:
    """The clock named by ``run(clock=..., start=...)``: ``"virtual"``, ``"real"``, or a ``Clock`` instance.

    *start* fixes the instant a virtual execution starts at; the real clock always starts now.
    """
    if start is not None and clock != "virtual":
        raise ValueError(
            f"run(start=...) sets the virtual clock's start; it cannot be combined with clock={clock!r}. "
            "Drop start=, or pass clock=VirtualClock(start) alone."
        )
    if isinstance(clock, Clock):
        return clock
    if clock == "virtual":
        return VirtualClock(None if start is None else epoch_seconds(start, "run(start=...)"))
    if clock == "real":
        return RealClock()
    raise ValueError(f"clock={clock!r} is not a clock: use clock='virtual' (the default) or clock='real'.")


# --- handlers' time.sleep on the virtual clock -------------------------------------------------------------------

_real_sleep = time.sleep
_local = threading.local()
_install_lock = threading.Lock()


_MAX_SLEEP: Final = 9_223_372_036.0  # what time.sleep accepts: 2**63 nanoseconds


def _sleep(seconds: float | SupportsIndex) -> None:
    """``time.sleep`` while sfnkit is loaded: virtual inside a handler run on the virtual clock, else real.

    The virtual sleep refuses what the real one refuses, with the same exceptions ("5", NaN, negative, too
    long), so a handler that fails on AWS fails here too and no NaN or infinite time reaches the timeline.
    """
    frame: tuple[Timeline, float] | None = getattr(_local, "frame", None)
    if frame is None:
        _real_sleep(seconds)
        return
    timeline, deadline = frame
    if not isinstance(seconds, float):
        try:
            seconds = operator.index(seconds)
        except TypeError:
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer") from None
    if seconds != seconds:
        raise ValueError("Invalid value NaN (not a number)")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if timeline.now + seconds >= deadline:
        timeline.now = deadline
        raise SleptPastDeadline
    if seconds > _MAX_SLEEP:
        raise OverflowError("timestamp out of range for platform time_t")
    timeline.now += seconds


_installed = False


def _install() -> None:
    global _installed
    with _install_lock:
        if time.sleep is not _sleep:
            time.sleep = _sleep
        _installed = True


def enter_handler(timeline: Timeline, deadline: float = NO_DEADLINE) -> tuple[Timeline, float] | None:
    """Make this thread's ``time.sleep`` advance *timeline* up to *deadline*; returns what to restore."""
    if not _installed:
        _install()
    previous: tuple[Timeline, float] | None = getattr(_local, "frame", None)
    _local.frame = (timeline, deadline)
    return previous


def leave_handler(previous: tuple[Timeline, float] | None) -> None:
    """Undo :func:`enter_handler`."""
    _local.frame = previous


@contextmanager
def handler_sleeps_on(timeline: Timeline, deadline: float = NO_DEADLINE) -> Iterator[None]:
    """Run a handler whose ``time.sleep`` advances *timeline*, up to *deadline* (then ``SleptPastDeadline``)."""
    _install()
    previous = getattr(_local, "frame", None)
    _local.frame = (timeline, deadline)
    try:
        yield
    finally:
        _local.frame = previous
