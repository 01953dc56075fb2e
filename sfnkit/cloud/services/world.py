"""One virtual time for every execution of a ``sfnkit.aws()`` world, and the task tokens they wait on.

A single ``run()`` keeps its own virtual clock. Executions that talk to each other (a callback worker started
before the execution it answers, a ``.sync`` child, an activity worker) must share one: a worker that polls a
queue every second must not race through its 300 polls before the message it waits for is sent. ``WorldClock``
is a conservative discrete-event clock: each thread that runs an execution on it is a *participant*; a
participant that waits (a Wait state, a retry interval, a task token, an activity poll) blocks until the world's
time reaches its wake-up time, and the world's time moves only when every participant is blocked, to the
earliest wake-up. Work that takes no virtual time (service calls) happens while the clock stands still, so the
order of events follows virtual time, not the machine's speed.

A caller's own thread may take part as well (``sfnkit.start``): it is a participant that runs while the caller's
code runs, and ``pause`` lets time pass while it waits for something (a token, the end, a number of seconds).

A callback (``.waitForTaskToken``, activities) is a ``Waiter`` registered under its token: ``send_task_success``,
``send_task_failure`` and ``send_task_heartbeat`` (from any thread) resolve it or push its heartbeat deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Final

from sfnkit.clock import Timeline, VirtualClock

__all__ = ["Participant", "Waiter", "WorldClock", "WorldClosed", "WorldStalled"]

NEVER: Final = float("inf")


class WorldClosed(BaseException):
    """Raised in a participant waiting when its world closes (a BaseException: no state may catch it)."""


class WorldStalled(RuntimeError):
    """Every participant waits for something nobody in the world can give."""


class Participant:
    """A thread of control that runs executions on the world clock (re-entrant: nested runs count up)."""

    __slots__ = ("depth", "wake")

    def __init__(self) -> None:
        self.depth = 0
        self.wake: float | None = None  # None: running; a time: blocked until the world reaches it


class Waiter:
    """A task waiting for its token: resolved with an output or an error, or timed out at ``wake``."""

    __slots__ = ("deadline", "done", "error", "heartbeat", "output", "participant", "wake")

    def __init__(self, deadline: float, heartbeat: float | None, now: float) -> None:
        self.deadline = deadline
        self.heartbeat = heartbeat
        self.wake = min(deadline, now + heartbeat) if heartbeat else deadline
        self.done = False
        self.output: Any = None
        self.error: tuple[str | None, str | None] | None = None
        self.participant: Participant | None = None


class WorldClock(VirtualClock):
    """Virtual time shared by every execution of one world (see the module docstring)."""

    def __init__(self, start: float | None = None, *, stall_seconds: float = 120.0) -> None:
        super().__init__(start)
        self._now = time.time() if start is None else start
        self._cond = threading.Condition()
        self._participants: set[Participant] = set()
        self._local = threading.local()
        self._holds = 0
        self.closed = False
        # a closed world where every participant waits for something only an outside thread can give (a token
        # with no timeout, no worker): waiting longer than this, in real seconds, is reported instead of hanging
        self.stall_seconds = stall_seconds

    # --- the Clock interface -------------------------------------------------------------------------------

    def start(self) -> float:
        self.join()  # run() leaves through stop()
        with self._cond:
            return self._now

    def stop(self) -> None:
        """The execution on this thread has finished (``run()`` calls it last)."""
        self.leave()

    def sleep(self, timeline: Timeline, seconds: float) -> None:
        if seconds <= 0:
            return
        target = timeline.now + seconds
        participant = getattr(self._local, "participant", None)
        if participant is not None:
            with self._cond:
                if target > self._now:
                    self._block(participant, target)
        timeline.now = target

    @property
    def now(self) -> float:
        """The world's current time."""
        with self._cond:
            return self._now

    # --- participants ---------------------------------------------------------------------------------------

    def join(self, participant: Participant | None = None) -> Participant:
        """Make this thread a participant (or bind it to *participant*, registered by the thread that started it)."""
        current: Participant | None = getattr(self._local, "participant", None)
        if current is None:
            current = participant or self.register()
            self._local.participant = current
        current.depth += 1
        return current

    def register(self) -> Participant:
        """A participant registered now, for a thread about to start (so time waits for it)."""
        participant = Participant()
        with self._cond:
            self._participants.add(participant)
        return participant

    def leave(self) -> None:
        current: Participant | None = getattr(self._local, "participant", None)
        if current is None:
            return
        current.depth -= 1
        if current.depth <= 0:
            self._local.participant = None
            with self._cond:
                self._participants.discard(current)
                self._advance()

    def hold(self) -> _Hold:
        """``with world.hold():`` time stands still while the block runs (setting up a world from outside)."""
        return _Hold(self)

    @property
    def condition(self) -> threading.Condition:
        """The world's (re-entrant) lock: code that must check its own state and ``wake`` a participant atomically
        takes it (``sfnkit.start``'s handle)."""
        return self._cond

    def wake(self, participant: Participant) -> None:
        """*participant* has something to do now: time stands still until it waits again (from any thread)."""
        with self._cond:
            participant.wake = None
            self._cond.notify_all()

    def settle(self, participant: Participant, ended: Callable[[], bool]) -> None:
        """Wait, in real time, until *participant* (started on another thread) first waits for the world's time, or
        *ended()* holds, or the world closes."""
        with self._cond:
            while participant.wake is None and not ended() and not self.closed:
                self._cond.wait(0.05)

    def pause(self, participant: Participant, until: float, ready: Callable[[], bool]) -> bool:
        """Let the world's time pass while *participant* (a caller's thread, joined) waits: until the world reaches
        *until* (False) or *ready()* holds (True; whoever makes it hold calls ``wake``). Time stands still again
        when it returns: the participant runs."""
        with self._cond:
            started, seen = time.monotonic(), self._now
            try:
                while not ready():
                    if self.closed:
                        raise WorldClosed
                    if participant.wake is None:  # not yet waiting, woken by the world reaching *until*, or by wake()
                        if self._now >= until:
                            return False
                        participant.wake = until
                        self._advance()
                        continue
                    if not self._cond.wait(0.05):
                        if self._now != seen:
                            started, seen = time.monotonic(), self._now
                        elif time.monotonic() - started > 2 * self.stall_seconds:  # the participants' own come first
                            raise WorldStalled(
                                f"the world's time has not moved for {2 * self.stall_seconds:g} real seconds: every "
                                "execution waits for something nobody in this world gives"
                            )
                        self._advance()
                return True
            finally:
                participant.wake = None

    # --- waiting --------------------------------------------------------------------------------------------

    def wait(self, timeline: Timeline, waiter: Waiter) -> bool:
        """Block until *waiter* is resolved (True) or the world reaches its wake-up time (False).

        On return *timeline* is at the moment it ended. Threads that are not participants wait in real time for the
        resolution, while the world's time passes as the participants make it pass.
        """
        participant = getattr(self._local, "participant", None)
        with self._cond:
            if waiter.done:
                timeline.now = max(timeline.now, self._now)
                return True
            if participant is None:
                started = time.monotonic()
                while not waiter.done and self._now < waiter.wake and not self.closed:
                    if not self._cond.wait(0.05) and time.monotonic() - started > self.stall_seconds:
                        break
            else:
                waiter.participant = participant
                self._block(participant, waiter.wake, waiter)
                waiter.participant = None
            if not waiter.done and waiter.wake == NEVER:
                raise WorldStalled(
                    f"nothing answered the task token for {self.stall_seconds:g} real seconds, and no participant "
                    "of this world can: start the worker that calls send_task_success/failure, or give the Task "
                    "TimeoutSeconds or HeartbeatSeconds"
                )
            timeline.now = max(timeline.now, self._now if waiter.done else waiter.wake)
            return waiter.done

    def resolve(self, waiter: Waiter, output: Any = None, error: tuple[str | None, str | None] | None = None) -> None:
        """Give *waiter* its outcome (from any thread)."""
        with self._cond:
            if waiter.done:
                return
            waiter.done = True
            waiter.output = output
            waiter.error = error
            if waiter.participant is not None:
                waiter.participant.wake = None
            self._cond.notify_all()

    def heartbeat(self, waiter: Waiter) -> None:
        """Push *waiter*'s heartbeat deadline (``SendTaskHeartbeat``)."""
        with self._cond:
            if waiter.heartbeat:
                waiter.wake = min(waiter.deadline, self._now + waiter.heartbeat)
                if waiter.participant is not None and waiter.participant.wake is not None:
                    waiter.participant.wake = waiter.wake
            self._cond.notify_all()

    def notify(self) -> None:
        """Wake threads waiting in real time (something they poll for may have arrived)."""
        with self._cond:
            self._cond.notify_all()

    # --- the scheduler (called with the condition held) -----------------------------------------------------------

    def close(self) -> None:
        """End the world: every participant that waits, or will, raises ``WorldClosed``."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _block(self, participant: Participant, until: float, waiter: Waiter | None = None) -> None:
        if self.closed:
            raise WorldClosed
        participant.wake = until
        self._cond.notify_all()  # a thread settling on this participant sees it wait
        self._advance()
        started = time.monotonic()
        while participant.wake is not None:
            if self.closed:
                participant.wake = None
                raise WorldClosed
            if waiter is not None and participant.wake != waiter.wake and not waiter.done:
                participant.wake = waiter.wake  # a heartbeat moved it
                self._advance()
                continue
            if not self._cond.wait(0.05):
                if time.monotonic() - started > self.stall_seconds and participant.wake == NEVER:
                    participant.wake = None  # stalled: nothing in this world can answer (reported by the caller)
                    break
                self._advance()

    def _advance(self) -> None:
        if self._holds or not self._participants:
            return
        wakes = [p.wake for p in self._participants]
        if any(w is None for w in wakes):
            return  # someone is running: time stands still
        earliest = min(w for w in wakes if w is not None)
        if earliest == NEVER:
            return
        self._now = max(self._now, earliest)
        for p in self._participants:
            if p.wake is not None and p.wake <= self._now:
                p.wake = None
        self._cond.notify_all()


class _Hold:
    __slots__ = ("_world",)

    def __init__(self, world: WorldClock) -> None:
        self._world = world

    def __enter__(self) -> None:
        with self._world._cond:
            self._world._holds += 1

    def __exit__(self, *exc: object) -> None:
        with self._world._cond:
            self._world._holds -= 1
            self._world._advance()
