"""The Hugging Face hub path: offline or unreachable, one clear error naming the local-files way."""

import http.server
import threading

import pytest

from pricewise.data.build import build_hub
from pricewise.errors import DataError


@pytest.fixture
def failing_hub():
    """A real local server that answers every request with a 404 (no such dataset file)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _fail(self):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = _fail

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _hub_settings(settings, endpoint):
    return settings.model_copy(update={"data": settings.data.model_copy(update={"hub_endpoint": endpoint})})


def test_offline_mode_gives_one_error_naming_the_raw_option(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(DataError, match=r"HF_HUB_OFFLINE is set.*pricewise data build --raw PATH") as caught:
        build_hub(["Appliances"], settings)
    assert "raw_meta_Appliances" in str(caught.value) and "\n" not in str(caught.value)


def test_a_failing_hub_gives_the_same_advice(settings, failing_hub, monkeypatch, tmp_path):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(DataError, match=r"cannot get raw_meta_Appliances.*pricewise data build --raw PATH"):
        build_hub(["Appliances"], _hub_settings(settings, failing_hub))


def test_a_category_is_required(settings):
    with pytest.raises(DataError, match="at least one category"):
        build_hub([], settings)
