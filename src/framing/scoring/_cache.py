"""On-disk cache of embeddings and scores, so re-running a notebook does not re-score.

One SQLite file (``scores.sqlite``) under ``framing.paths().cache``
(``data/interim/cache``, or the folder named by ``FRAMING_CACHE``), in WAL
mode so that several processes can read while one writes. Values are stored
as JSON or as raw float32 arrays, never pickled. Each entry is keyed by the
SHA-256 of a namespace (model id, weights hash, precision, codebook hash,
head version, what is stored) and of the text.

Every write is one SQLite transaction, so a run that is killed part way keeps
the batches it committed and never leaves a half-written row; a writer that
finds the file locked by another process waits (up to ``FRAMING_CACHE_TIMEOUT``
seconds, default 60) instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framing.config import paths

log = logging.getLogger(__name__)

_FILE = "scores.sqlite"
_CHUNK = 500  # keys per SELECT, below SQLite's limit on bound parameters
_TIMEOUT = 60.0  # seconds a writer waits for another process's lock
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key   TEXT PRIMARY KEY,
    type  TEXT NOT NULL,      -- 'json' or 'f32'
    value BLOB NOT NULL
)
"""


def namespace(**parts: Any) -> str:
    """A stable digest of what identifies a family of cached values.

    Examples
    --------
    >>> namespace(model="m", precision="fp32") == namespace(precision="fp32", model="m")
    True
    """
    blob = json.dumps({k: str(v) for k, v in parts.items()}, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def entry_key(ns: str, text: str) -> str:
    """Key of one text's entry in namespace ``ns``."""
    h = hashlib.sha256(ns.encode("ascii"))
    h.update(b"\0")
    h.update(str(text).encode("utf-8"))
    return h.hexdigest()


class Cache:
    """A key-value store of JSON values and float arrays in one SQLite file.

    Parameters
    ----------
    folder
        Where ``scores.sqlite`` lives; defaults to ``framing.paths().cache``.

    Examples
    --------
    >>> import tempfile
    >>> c = Cache(tempfile.mkdtemp())
    >>> ns = namespace(model="toy")
    >>> c.put_json(ns, {"a text": {"favor": 0.5}})
    >>> c.get_json(ns, ["a text", "another"])
    {'a text': {'favor': 0.5}}
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else paths().cache
        self.path = self.folder / _FILE

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        timeout = float(os.environ.get("FRAMING_CACHE_TIMEOUT", _TIMEOUT))
        # isolation_level=None: transactions are opened explicitly (BEGIN IMMEDIATE in _put)
        conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            # Switching to WAL and creating the table take locks that SQLite may
            # refuse at once, without calling the busy handler, while another
            # process does the same: retry until the timeout.
            _retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"), timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            _retry_locked(lambda: conn.execute(_SCHEMA), timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    def _get(self, ns: str, texts: Sequence[str], kind: str) -> dict[str, bytes]:
        keys = {entry_key(ns, t): t for t in dict.fromkeys(texts)}
        found: dict[str, bytes] = {}
        if not keys:
            return found
        conn = self._connect()
        try:
            key_list = list(keys)
            for start in range(0, len(key_list), _CHUNK):
                chunk = key_list[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, value FROM entries WHERE type = ? AND key IN ({marks})", [kind, *chunk]
                ).fetchall()
                found.update({keys[k]: v for k, v in rows})
        finally:
            conn.close()
        return found

    def _put(self, ns: str, items: Iterable[tuple[str, bytes]], kind: str) -> None:
        rows = [(entry_key(ns, t), kind, v) for t, v in items]
        if not rows:
            return
        conn = self._connect()
        try:
            # One transaction, taking the write lock up front so that a busy
            # writer waits for the other rather than failing half way.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT OR REPLACE INTO entries (key, type, value) VALUES (?, ?, ?)", rows
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()
        log.debug("cached %d %s entries in %s", len(rows), kind, self.path)

    def get_json(self, ns: str, texts: Sequence[str]) -> dict[str, Any]:
        """Cached JSON values for those ``texts`` that have one."""
        return {t: json.loads(v) for t, v in self._get(ns, texts, "json").items()}

    def put_json(self, ns: str, values: Mapping[str, Any]) -> None:
        """Store one JSON-serialisable value per text."""
        self._put(ns, ((t, json.dumps(v).encode("utf-8")) for t, v in values.items()), "json")

    def get_arrays(self, ns: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached float32 vectors for those ``texts`` that have one."""
        return {t: np.frombuffer(v, dtype="<f4").copy() for t, v in self._get(ns, texts, "f32").items()}

    def put_arrays(self, ns: str, values: Mapping[str, np.ndarray]) -> None:
        """Store one float32 vector per text."""
        self._put(ns, ((t, np.asarray(v, dtype="<f4").tobytes()) for t, v in values.items()), "f32")

    def clear(self) -> None:
        """Delete every entry."""
        conn = self._connect()
        try:
            conn.execute("DELETE FROM entries")  # autocommit: one statement, one transaction
        finally:
            conn.close()

    def map_arrays(
        self,
        ns: str,
        texts: Sequence[str],
        compute: Callable[[list[str]], np.ndarray],
        *,
        batch_size: int = 256,
    ) -> dict[str, np.ndarray]:
        """Vectors of the distinct ``texts``: cached ones read, missing ones computed and stored.

        Missing texts go to ``compute`` ``batch_size`` at a time and each batch
        is committed as soon as it is computed, so an interrupted run keeps
        what it finished and a re-run computes only the rest.

        Examples
        --------
        >>> import tempfile
        >>> c = Cache(tempfile.mkdtemp())
        >>> lengths = lambda batch: np.array([[len(t)] for t in batch], dtype="float32")
        >>> c.map_arrays(namespace(model="len"), ["ab", "abc"], lengths)["abc"].tolist()
        [3.0]
        """
        unique = list(dict.fromkeys(str(t) for t in texts))
        found = self.get_arrays(ns, unique)
        todo = [t for t in unique if t not in found]
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            new = dict(zip(batch, np.asarray(compute(batch), dtype=np.float32), strict=True))
            self.put_arrays(ns, new)
            found.update(new)
        return found


class ScoringInterrupted(KeyboardInterrupt):
    """Ctrl-C while scoring; ``saved`` texts have their scores in the cache, so a re-run resumes.

    Examples
    --------
    >>> err = ScoringInterrupted(saved=1024)
    >>> isinstance(err, KeyboardInterrupt), err.saved
    (True, 1024)
    """

    def __init__(self, saved: int) -> None:
        super().__init__(f"interrupted: {saved} sentences saved; run again to resume")
        self.saved = saved


#: texts scored between two commits of the score cache
ROWS_PER_COMMIT = 1024


def cached_rows(
    ns: str,
    texts: Sequence[str],
    compute: Callable[[list[str]], np.ndarray],
    *,
    cache: bool = True,
    folder: str | Path | None = None,
    batch_size: int = ROWS_PER_COMMIT,
) -> dict[str, list[Any]]:
    """Rows of scores for the distinct ``texts``: cached ones read, missing ones computed and stored.

    ``compute`` gets the texts not yet cached, ``batch_size`` at a time, and
    returns one row of numbers per text; each batch's rows are committed,
    rounded to six decimals, as JSON in the cache under ``folder`` (default:
    ``framing.paths().cache``) before the next batch is computed. Ctrl-C
    raises :class:`ScoringInterrupted`, which says how many texts are saved.
    With ``cache=False`` nothing is read or written.

    Examples
    --------
    >>> import tempfile
    >>> rows = cached_rows(namespace(model="len"), ["ab", "ab", "abc"],
    ...                    lambda batch: np.array([[len(t)] for t in batch]), folder=tempfile.mkdtemp())
    >>> rows["abc"]
    [3.0]
    """
    unique = list(dict.fromkeys(str(t) for t in texts))
    store = Cache(folder) if cache else None
    found: dict[str, list[Any]] = store.get_json(ns, unique) if store else {}
    todo = [t for t in unique if t not in found]
    try:
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            P = np.asarray(compute(batch), dtype=np.float64)
            new = {t: P[i].round(6).tolist() for i, t in enumerate(batch)}
            if store:
                store.put_json(ns, new)
            found.update(new)
    except KeyboardInterrupt as err:
        if isinstance(err, ScoringInterrupted) or not store:
            raise
        raise ScoringInterrupted(saved=len(found)) from None
    return found


def _retry_locked(run: Callable[[], Any], timeout: float) -> Any:
    """Run an SQLite statement, retrying while another connection holds the lock."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return run()
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError(
                    f"{err}: another process kept the score cache locked for {timeout:.0f} s; "
                    "wait for it to finish or set FRAMING_CACHE to a different folder"
                ) from None
            time.sleep(0.05)
