"""Quiet measurements: wait for an idle machine, and sample memory while a run goes on.

A rate measured while other work shares the cores says little, so every
benchmark waits (bounded) until the 1-minute load average is below a
threshold, or records that it could not, and records the load at start and
end (:func:`wait_for_quiet`). :class:`MemorySampler` samples the resident
memory of this process once a second, with how far the run has got, for the
memory-over-sentences curve of a large run.

Examples
--------
>>> from framing.quality.bench_quiet import wait_for_quiet
>>> wait_for_quiet(max_wait=0, loadavg=lambda: (0.2, 0.3, 0.4))["quiet"]
True
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: the 1-minute load average below which a machine counts as quiet
QUIET_LOAD = 1.0
#: the longest wait for it, in seconds
MAX_WAIT = 600.0


def wait_for_quiet(
    *,
    below: float = QUIET_LOAD,
    max_wait: float = MAX_WAIT,
    poll: float = 10.0,
    loadavg: Callable[[], tuple[float, float, float]] = os.getloadavg,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Wait until the 1-minute load average is below ``below``, at most ``max_wait`` seconds.

    Parameters
    ----------
    below
        The threshold (default :data:`QUIET_LOAD`, 1.0).
    max_wait
        Seconds to wait at most (default :data:`MAX_WAIT`, 10 minutes); 0
        only records the load.
    poll
        Seconds between two looks at the load.
    loadavg, sleep, clock
        ``os.getloadavg``, ``time.sleep`` and ``time.monotonic``, replaceable
        for tests.

    Returns
    -------
    dict
        ``quiet`` (whether the load fell below ``below``), ``below``,
        ``waited_s``, ``loadavg_before`` (when the wait began) and ``loadavg``
        (when it ended: the load the measurement starts under).

    Examples
    --------
    >>> loads = iter([(3.0, 2.0, 1.0), (0.5, 1.0, 1.0)])
    >>> w = wait_for_quiet(loadavg=lambda: next(loads), sleep=lambda s: None, poll=10)
    >>> w["quiet"], w["loadavg"][0]
    (True, 0.5)
    """
    start = clock()
    first = now = tuple(loadavg())
    announced = False
    while now[0] >= below and clock() - start + poll <= max_wait:
        if not announced:
            log.warning("waiting up to %.0f s for the 1-minute load average (%.2f) to fall below %.1f",
                        max_wait, now[0], below)  # fmt: skip
            announced = True
        sleep(poll)
        now = tuple(loadavg())
    quiet = now[0] < below
    if not quiet:
        log.warning("the load average is still %.2f (not below %.1f): the rates measured now are not quiet",
                    now[0], below)  # fmt: skip
    return {"quiet": quiet, "below": below, "waited_s": round(clock() - start, 1),
            "loadavg_before": list(first), "loadavg": list(now)}  # fmt: skip


def rss_mb() -> float:
    """Resident memory of this process now, in MB (``/proc/self/statm``).

    Examples
    --------
    >>> rss_mb() > 0
    True
    """
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class MemorySampler:
    """Resident memory sampled every ``every`` seconds in a thread, with the progress at that moment.

    Parameters
    ----------
    every
        Seconds between two samples (1 for the large run).
    progress
        Called at each sample for how far the run has got (sentences done).

    Attributes
    ----------
    samples : list of tuple
        ``(seconds since start, progress, rss MB)``.
    peak : float
        Highest resident memory sampled, in MB.

    Examples
    --------
    >>> with MemorySampler(every=0.01) as mem:
    ...     _ = bytearray(10_000_000)
    >>> mem.peak > 0 and len(mem.samples) >= 2
    True
    """

    def __init__(self, *, every: float = 1.0, progress: Callable[[], int] = lambda: 0) -> None:
        self.every = every
        self.progress = progress
        self.samples: list[tuple[float, int, float]] = []
        self.peak = 0.0

    def _sample(self) -> None:
        mb = rss_mb()
        self.peak = max(self.peak, mb)
        self.samples.append((round(time.perf_counter() - self._t0, 2), int(self.progress()), round(mb, 1)))

    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._sample()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
