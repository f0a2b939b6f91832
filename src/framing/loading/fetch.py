"""Fetch the original documents an article reports (official readouts) from their URLs.

The originals are listed in a manifest (default ``data/raw/originals.csv``:
``doc_id, issuer, source, kind, url, title, date``; ``source`` is how
attribution names that document in an article, such as ``Kremlin readout``).
:func:`fetch_originals` downloads each listed URL with :mod:`urllib` (with a
timeout), extracts the main text with trafilatura and saves it to
``data/external/`` (never ``data/raw/``, which stays as committed), with the
date fetched and SHA-256 checksums in ``data/external/fetch_log.csv``.
Only ``http`` and ``https`` URLs are fetched. Without a network nothing is
written. :func:`originals` reads back what was fetched, for the notebooks.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from framing._io import sha256_bytes
from framing.loading._manifest import originals_table

log = logging.getLogger(__name__)

MANIFEST_NAME = "originals.csv"
LOG_NAME = "fetch_log.csv"
LOG_COLUMNS = ["doc_id", "issuer", "source", "url", "title", "date", "fetched_utc", "path", "sha256",
               "html_path", "html_sha256"]
REPORT_COLUMNS = ["doc_id", "url", "status", "message", "path", "sha256"]
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class FetchError(RuntimeError):
    """A URL could not be fetched or read; the message says which and why."""


class NoNetwork(FetchError):
    """The host could not be reached at all (no network or no name resolution)."""


@dataclass
class _Fetched:
    row: dict[str, str]
    html: bytes
    title: str
    text: str


def check_url(url: str) -> str:
    """Return ``url`` if it is http(s); raise :class:`FetchError` otherwise.

    Examples
    --------
    >>> check_url("https://example.org/a")
    'https://example.org/a'
    >>> check_url("file:///etc/passwd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    framing.loading.fetch.FetchError: refused file:///etc/passwd: only http:// and https:// URLs ...
    """
    parts = urllib.parse.urlsplit(str(url).strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        scheme = parts.scheme or "none"
        raise FetchError(f"refused {url}: only http:// and https:// URLs are fetched (scheme {scheme!r})")
    return str(url).strip()


def download(url: str, *, timeout: float = 20.0) -> bytes:
    """The bytes at an http(s) URL, or :class:`FetchError` with a message that says what went wrong."""
    from framing import __version__

    check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": f"framing/{__version__} (research)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            return response.read()
    except urllib.error.HTTPError as err:
        raise FetchError(f"{url}: the server answered HTTP {err.code} {err.reason}; "
                         "check the URL in the manifest") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"{url}: timed out after {timeout:g} s; try again or raise --timeout") from None
        if isinstance(reason, socket.gaierror):
            raise NoNetwork(f"{url}: no network (could not resolve {urllib.parse.urlsplit(url).hostname}): "
                            f"{reason}") from None
        if isinstance(reason, OSError) and getattr(reason, "errno", None) in (101, 113):  # unreachable
            raise NoNetwork(f"{url}: no network ({reason})") from None
        raise FetchError(f"{url}: could not connect ({reason})") from None
    except TimeoutError:
        raise FetchError(f"{url}: timed out after {timeout:g} s; try again or raise --timeout") from None


def extract(html: bytes | str, *, url: str | None = None) -> tuple[str, str]:
    """Title and main text of an HTML page (trafilatura); :class:`FetchError` if there is no main text."""
    import trafilatura

    page = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    text = trafilatura.extract(page, url=url, include_comments=False, include_tables=False,
                               favor_precision=True)
    if not text or not text.strip():
        raise FetchError(f"{url or 'page'}: no main text could be extracted (is it an article page?)")
    meta = trafilatura.extract_metadata(page, default_url=url)
    title = (getattr(meta, "title", None) or "").strip()
    return title, text.strip()


def _under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def fetch_originals(
    manifest: str | Path | None = None,
    *,
    out: str | Path | None = None,
    timeout: float = 20.0,
) -> pd.DataFrame:
    """Download the originals listed in a manifest, extract their text and save it with a checksum.

    Parameters
    ----------
    manifest
        CSV with ``doc_id`` and ``url`` (and ``issuer, source, kind, title,
        date``); default ``data/raw/originals.csv``. Rows without a URL are skipped.
    out
        Folder to save into; default ``data/external/``. Never ``data/raw/``.
    timeout
        Seconds to wait for each server.

    Returns
    -------
    pandas.DataFrame
        One row per manifest row: ``doc_id, url, status`` (``saved``,
        ``skipped``, ``failed``), ``message``, ``path`` and ``sha256`` of the
        saved text. Each saved document is ``<doc_id>.txt`` (title, blank line,
        text) beside the page as downloaded (``<doc_id>.html``), and is
        recorded in ``fetch_log.csv`` with the UTC time of fetching and both
        SHA-256s. When no host can be reached (no network), nothing is written.

    Examples
    --------
    >>> report = fetch_originals(timeout=10)  # doctest: +SKIP
    >>> report[["doc_id", "status", "message"]]  # doctest: +SKIP
    """
    from framing.config import paths

    p = paths()
    src = Path(manifest) if manifest is not None else p.raw / MANIFEST_NAME
    folder = Path(out) if out is not None else p.external
    if _under(folder, p.raw):
        raise ValueError(f"refusing to write into {folder}: data/raw stays as committed; use data/external")
    rows: list[dict[str, str]] = []
    fetched: list[_Fetched] = []
    offline = 0
    for rec in originals_table(src).to_dict("records"):
        doc_id, url = str(rec.get("doc_id", "")).strip(), str(rec.get("url", "")).strip()
        report = {"doc_id": doc_id, "url": url, "status": "failed", "message": "", "path": "", "sha256": ""}
        rows.append(report)
        if not url:
            report.update(status="skipped", message="no URL listed")
            continue
        if not _SAFE_ID.fullmatch(doc_id):
            report["message"] = f"doc_id {doc_id!r} is not a safe file name (letters, digits, . _ -)"
            continue
        try:
            html = download(url, timeout=timeout)
            title, text = extract(html, url=url)
        except NoNetwork as err:
            offline += 1
            report["message"] = str(err)
            continue
        except FetchError as err:
            report["message"] = str(err)
            continue
        fetched.append(_Fetched({k: str(v) for k, v in rec.items()}, html, title, text))
        report.update(status="saved")
    attempted = sum(r["status"] != "skipped" for r in rows)
    if attempted and offline == attempted:
        log.error("no network: none of the %d URL(s) could be reached; nothing was changed", attempted)
        for r in rows:
            if r["status"] == "failed":
                r["message"] = "no network; nothing was changed. " + r["message"]
        return pd.DataFrame(rows, columns=REPORT_COLUMNS)
    if fetched:
        _save(fetched, folder, rows)
    for r in rows:
        if r["status"] == "failed":
            log.warning("%s: %s", r["doc_id"], r["message"])
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _save(fetched: list[_Fetched], folder: Path, rows: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    log_path = folder / LOG_NAME
    old = pd.read_csv(log_path, dtype=str, keep_default_na=False) if log_path.is_file() else None
    new = []
    by_id = {r["doc_id"]: r for r in rows}
    for f in fetched:
        doc_id = f.row["doc_id"]
        title = f.title or f.row.get("title", "") or doc_id
        body = f"{title}\n\n{f.text}\n".encode()
        txt, raw = folder / f"{doc_id}.txt", folder / f"{doc_id}.html"
        txt.write_bytes(body)
        raw.write_bytes(f.html)
        digest = sha256_bytes(body)
        new.append({"doc_id": doc_id, "issuer": f.row.get("issuer", ""), "source": f.row.get("source", ""),
                    "url": f.row["url"], "title": title, "date": f.row.get("date", ""), "fetched_utc": now,
                    "path": txt.name, "sha256": digest, "html_path": raw.name,
                    "html_sha256": sha256_bytes(f.html)})
        message = f"saved {txt.name} ({len(f.text)} characters)"
        by_id[doc_id].update(path=str(txt), sha256=digest, message=message)
        log.info("saved %s from %s", txt, f.row["url"])
    table = pd.DataFrame(new, columns=LOG_COLUMNS)
    if old is not None:
        table = pd.concat([old[~old["doc_id"].isin(table["doc_id"])], table], ignore_index=True)
    table[LOG_COLUMNS].to_csv(log_path, index=False)


def originals(folder: str | Path | None = None) -> pd.DataFrame:
    """The originals fetched so far, with their text, for the notebooks.

    Parameters
    ----------
    folder
        Where :func:`fetch_originals` saved them; default ``data/external``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``fetch_log.csv`` in ``folder`` plus ``text``, one row
        per document whose file is present and still has the logged SHA-256
        (a changed or missing file is left out with a warning); an empty table
        when nothing was fetched.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from framing._io import sha256_bytes
    >>> d = pathlib.Path(tempfile.mkdtemp()); body = b"Putin and Johnson spoke by phone."
    >>> _ = (d / "k1.txt").write_bytes(body)
    >>> _ = (d / "fetch_log.csv").write_text(f"doc_id,path,sha256\\nk1,k1.txt,{sha256_bytes(body)}\\n")
    >>> originals(d)[["doc_id", "text"]].values.tolist()
    [['k1', 'Putin and Johnson spoke by phone.']]
    >>> originals("/nonexistent").empty
    True
    """
    from framing.config import paths

    base = Path(folder) if folder is not None else paths().external
    log_path = base / LOG_NAME
    if not log_path.is_file():
        return pd.DataFrame(columns=[*LOG_COLUMNS, "text"])
    table = pd.read_csv(log_path, dtype=str, keep_default_na=False)
    keep, texts = [], []
    for i, row in table.iterrows():
        path = base / row["path"]
        if not path.is_file():
            log.warning("%s is listed in %s but missing; run `framing fetch` again", path, log_path)
            continue
        data = path.read_bytes()
        if sha256_bytes(data) != row["sha256"]:
            log.warning("%s differs from the SHA-256 in %s; left out (run `framing fetch` again)",
                        path, log_path)
            continue
        keep.append(i)
        texts.append(data.decode("utf-8"))
    out = table.loc[keep].reset_index(drop=True)
    out["text"] = texts
    return out
