"""The Hugging Face hub path against a real local server speaking the hub's file protocol; offline
or failing, one clear error naming the local-files way."""

import http.server
import json
import threading

import pytest

from pricewise.data.build import build_hub
from pricewise.errors import DataError

HUB_FILE = "/datasets/McAuley-Lab/Amazon-Reviews-2023/resolve/main/raw/meta_categories/meta_Appliances.jsonl"


@pytest.fixture
def fake_hub(raw_row, monkeypatch, tmp_path):
    """A local hub that has ``meta_Appliances.jsonl`` (five rows and a broken line); 404 for the rest."""
    body = b"\n".join(json.dumps(raw_row(n, price=10 + n)).encode() for n in range(5)) + b"\n{broken\n"
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _head(self) -> bool:
            requests.append((self.command, self.path))
            found = self.path == HUB_FILE
            self.send_response(200 if found else 404)
            if found:
                self.send_header("X-Repo-Commit", "a" * 40)
                self.send_header("ETag", '"fixture"')
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            return found

        def do_HEAD(self):
            self._head()

        def do_GET(self):
            if self._head():
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def _with_endpoint(settings, endpoint):
    return settings.model_copy(update={"data": settings.data.model_copy(update={"hub_endpoint": endpoint})})


def test_a_category_is_fetched_from_the_hub_and_curated(settings, fake_hub):
    endpoint, requests = fake_hub
    report = build_hub(["Appliances"], _with_endpoint(settings, endpoint))
    manifest = report.manifest
    assert manifest["kind"] == "hub"
    assert manifest["rows_kept"] == 5 and manifest["skipped"] == {"malformed_json": 1}
    assert sum(split["categories"]["Appliances"] for split in manifest["splits"].values()) == 5
    assert ("GET", HUB_FILE) in requests


def test_an_unknown_category_gives_the_local_files_advice(settings, fake_hub):
    endpoint, _ = fake_hub
    with pytest.raises(
        DataError, match=r"cannot get raw_meta_Nope.*pricewise data build --raw PATH"
    ) as caught:
        build_hub(["Nope"], _with_endpoint(settings, endpoint))
    assert "\n" not in str(caught.value)


def test_offline_mode_gives_one_error_naming_the_raw_option(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    with pytest.raises(DataError, match=r"HF_HUB_OFFLINE is set.*pricewise data build --raw PATH") as caught:
        build_hub(["Appliances"], settings)
    assert "raw_meta_Appliances" in str(caught.value) and "\n" not in str(caught.value)


def test_a_category_is_required(settings):
    with pytest.raises(DataError, match="at least one category"):
        build_hub([], settings)
