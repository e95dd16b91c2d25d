"""Saving and loading pricers: a directory with ``pricer.json`` (metadata) and the model files.

Loading refuses a directory outside the trusted root (the artifacts dir by default), because a
pickle runs code when it is read, and refuses a format written by an incompatible version.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pricewise import __version__
from pricewise.errors import ModelError

if TYPE_CHECKING:
    from pricewise.pricers.base import Pricer

FORMAT_VERSION = 1
METADATA_FILE = "pricer.json"
MODEL_FILE = "model.joblib"
_LIBRARIES = ("numpy", "scikit-learn", "lightgbm", "torch", "transformers", "peft", "sentence-transformers")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "pricewise": __version__}
    for name in _LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def save_pricer(pricer: Pricer, directory: Path, metadata: dict[str, Any]) -> Path:
    """Write the pricer and its metadata. Pricers with non-picklable parts override ``save_state``."""
    import joblib

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    save_state = getattr(pricer, "save_state", None)
    if save_state is not None:
        save_state(directory)
    else:
        joblib.dump(pricer, directory / MODEL_FILE)
    meta = {
        "format_version": FORMAT_VERSION,
        "pricer": pricer.name,
        "class": f"{type(pricer).__module__}:{type(pricer).__qualname__}",
        "params": {k: repr(v) for k, v in pricer.get_params().items()},
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "libraries": library_versions(),
        **metadata,
    }
    (directory / METADATA_FILE).write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return directory


def read_metadata(directory: Path) -> dict[str, Any]:
    path = Path(directory) / METADATA_FILE
    if not path.is_file():
        raise ModelError(f"{directory} holds no saved pricer ({METADATA_FILE} missing): run `pricewise train`")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelError(f"{path} is not valid JSON: {exc}") from exc
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{directory} was written in model format {meta.get('format_version')!r} by pricewise "
            f"{meta.get('libraries', {}).get('pricewise', '?')}; this pricewise {__version__} reads format "
            f"{FORMAT_VERSION}: retrain with `pricewise train`"
        )
    return meta


def load_pricer(directory: Path, trusted_root: Path | None = None) -> Pricer:
    """Load a saved pricer, refusing anything outside ``trusted_root`` (default: the artifacts dir)."""
    import joblib

    from pricewise.config import get_settings
    from pricewise.pricers.base import Pricer

    directory = Path(directory).resolve()
    root = Path(trusted_root or get_settings().artifacts_dir).resolve()
    if not directory.is_relative_to(root):
        raise ModelError(f"refusing to load {directory}: models are only loaded from under {root}")
    meta = read_metadata(directory)
    module_name, _, qualname = meta["class"].partition(":")
    if not module_name.startswith("pricewise."):
        raise ModelError(f"{directory}: class {meta['class']!r} is not a pricewise pricer")
    import importlib

    cls = getattr(importlib.import_module(module_name), qualname)
    load_state = getattr(cls, "load_state", None)
    pricer = load_state(directory) if load_state is not None else joblib.load(directory / MODEL_FILE)
    if not isinstance(pricer, Pricer):
        raise ModelError(f"{directory} does not hold a pricer")
    pricer.metadata = meta  # type: ignore[attr-defined]
    return pricer
