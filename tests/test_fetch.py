"""Fetching originals: against a local HTTP server on 127.0.0.1 that the tests start themselves."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

import framing
from framing.cli import main
from framing.loading import fetch as fetch_module

PARAGRAPHS = [
    "Vladimir Putin had a telephone conversation with the Prime Minister of a fictional kingdom.",
    "Both leaders expressed satisfaction with the outcome of the conference on forests held last month, "
    "and the Prime Minister noted the contribution made by each delegation to the final declaration.",
    "The Prime Minister expressed concern about troop movements near the border, and the President "
    "gave a detailed assessment of the situation on the line of contact and of the peace process.",
    "The leaders agreed to continue their contacts at various levels and to instruct their ministers "
    "to prepare a meeting early next year.",
]
PAGE = (
    "<html><head><title>Telephone conversation with the Prime Minister</title></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/contacts'>Contacts</a></nav>"
    "<article><h1>Telephone conversation with the Prime Minister</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer>Copyright. All rights reserved. Subscribe to our newsletter.</footer></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/readout":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        elif self.path == "/slow":
            time.sleep(1.0)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _manifest(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "originals.csv"
    pd.DataFrame(
        [{"doc_id": d, "issuer": "Kremlin", "source": "Kremlin readout", "kind": "readout", "url": u,
          "title": "", "date": "2021-12-13"} for d, u in rows]
    ).to_csv(path, index=False)
    return path


def test_a_served_page_is_extracted_saved_and_logged(server: str, tmp_path: Path) -> None:
    out = tmp_path / "external"
    report = framing.fetch_originals(_manifest(tmp_path, [("k1", f"{server}/readout")]), out=out, timeout=5)
    assert report["status"].tolist() == ["saved"]
    text = (out / "k1.txt").read_text("utf-8")
    assert text.splitlines()[0] == "Telephone conversation with the Prime Minister"
    for p in PARAGRAPHS:
        assert p in text
    assert "Subscribe" not in text and "Contacts" not in text  # boilerplate left out
    assert (out / "k1.html").read_bytes() == PAGE
    log = pd.read_csv(out / "fetch_log.csv", dtype=str)
    row = log.set_index("doc_id").loc["k1"]
    assert row["sha256"] == hashlib.sha256((out / "k1.txt").read_bytes()).hexdigest()
    assert row["html_sha256"] == hashlib.sha256(PAGE).hexdigest()
    assert row["fetched_utc"][:2] == "20" and row["source"] == "Kremlin readout"
    got = framing.originals(out)
    assert got["doc_id"].tolist() == ["k1"] and PARAGRAPHS[0] in got.loc[0, "text"]


def test_a_changed_file_is_left_out_of_the_originals(server: str, tmp_path: Path) -> None:
    out = tmp_path / "external"
    framing.fetch_originals(_manifest(tmp_path, [("k1", f"{server}/readout")]), out=out, timeout=5)
    (out / "k1.txt").write_text("edited by hand", encoding="utf-8")
    assert framing.originals(out).empty


@pytest.mark.parametrize(
    ("path", "timeout", "expected"),
    [
        ("/missing", 5.0, "HTTP 404"),
        ("/slow", 0.2, "timed out after 0.2 s"),
    ],
)
def test_404_and_timeout_give_clear_messages(server: str, tmp_path: Path, path: str, timeout: float,
                                             expected: str) -> None:
    out = tmp_path / "external"
    manifest = _manifest(tmp_path, [("k1", f"{server}{path}")])
    report = framing.fetch_originals(manifest, out=out, timeout=timeout)
    assert report["status"].tolist() == ["failed"]
    assert expected in report.loc[0, "message"] and path in report.loc[0, "message"]
    assert not (out / "k1.txt").exists()


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "ftp://127.0.0.1/readout.txt", "javascript:alert(1)"]
)
def test_anything_but_http_is_refused(tmp_path: Path, url: str) -> None:
    out = tmp_path / "external"
    report = framing.fetch_originals(_manifest(tmp_path, [("k1", url)]), out=out, timeout=1)
    assert report["status"].tolist() == ["failed"]
    assert "only http:// and https://" in report.loc[0, "message"]
    assert not out.exists()


def test_without_a_network_nothing_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(fetch_module.urllib.request, "urlopen", offline)
    out = tmp_path / "external"
    out.mkdir()
    (out / "fetch_log.csv").write_text("doc_id\n", encoding="utf-8")
    before = sorted((p.name, p.read_bytes()) for p in out.iterdir())
    report = framing.fetch_originals(
        _manifest(tmp_path, [("k1", "https://example.org/a"), ("k2", "")]), out=out, timeout=1)
    assert report["status"].tolist() == ["failed", "skipped"]
    assert report.loc[0, "message"].startswith("no network; nothing was changed")
    assert sorted((p.name, p.read_bytes()) for p in out.iterdir()) == before


def test_data_raw_is_never_written(tmp_path: Path, project_paths) -> None:
    with pytest.raises(ValueError, match="data/raw stays as committed"):
        framing.fetch_originals(_manifest(tmp_path, [("k1", "https://example.org/a")]), out=project_paths.raw)


def test_the_command_reports_each_row(server: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    manifest = _manifest(tmp_path, [("ok", f"{server}/readout"), ("gone", f"{server}/missing")])
    code = main(["fetch", "--manifest", str(manifest), "--out", str(tmp_path / "ext"), "--timeout", "5"])
    out = capsys.readouterr().out
    assert code == 1  # one failure
    assert "saved    ok: saved ok.txt" in out and "failed   gone:" in out and "HTTP 404" in out


def test_the_shipped_manifest_lists_only_http_urls(project_paths) -> None:
    manifest = pd.read_csv(project_paths.raw / "originals.csv", dtype=str, keep_default_na=False)
    assert {"doc_id", "issuer", "source", "kind", "url", "title", "date"} <= set(manifest.columns)
    assert set(manifest["kind"]) == {"readout"}
    for url in filter(None, manifest["url"]):
        assert fetch_module.check_url(url) == url
