"""The Ray engine on a local Ray instance that this module starts and stops (pricewise.scale.ray_engine)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import ray
import scale_helpers
from scale_helpers import KILL_MARKER, DiesOncePricer, LengthPricer, catalog_frame, read_output, write_catalog

from pricewise.config import ScaleSettings
from pricewise.data.sources import dev_items
from pricewise.pricers.store import fit_and_save
from pricewise.scale.batch import price_file
from pricewise.scale.ray_engine import actor_resources


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """A 2-CPU local instance with a small object store, no dashboard; the test pricers travel by value."""
    ray.cloudpickle.register_pickle_by_value(scale_helpers)
    ray.init(num_cpus=2, object_store_memory=100 * 1024**2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def items():
    return dev_items()


def bad_catalog(items, path: Path, rows: int = 60) -> Path:
    frame = catalog_frame(items, rows)
    frame.loc[7, ["title", "description"]] = ""
    frame.loc[30, "title"] = "x" * 1_200_000
    return write_catalog(frame, path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_ray_output_is_identical_to_local(tmp_path, items, suffix):
    source = bad_catalog(items, tmp_path / f"catalog{suffix}")
    pricer = LengthPricer().fit(items)
    local = price_file(source, tmp_path / f"local{suffix}", pricer=pricer, batch_size=8, progress=False)
    remote = price_file(
        source,
        tmp_path / f"ray{suffix}",
        pricer=pricer,
        engine="ray",
        workers=2,
        batch_size=8,
        progress=False,
    )
    assert (tmp_path / f"local{suffix}").read_bytes() == (tmp_path / f"ray{suffix}").read_bytes()
    assert (remote.rows, remote.failed) == (local.rows, local.failed) == (60, 2)
    out = read_output(tmp_path / f"ray{suffix}")
    assert list(out["id"]) == [f"sku-{i}" for i in range(60)]
    assert out.loc[7, "error"] == "empty text" and "over the limit" in out.loc[30, "error"]


def test_actors_load_the_trained_pricer_and_number_rows_without_ids(tmp_path, items, settings):
    fit_and_save("constant", items)
    source = write_catalog(catalog_frame(items, 25).drop(columns="id"), tmp_path / "catalog.parquet")
    price_file(source, tmp_path / "local.parquet", batch_size=4, progress=False)
    report = price_file(
        source, tmp_path / "ray.parquet", engine="ray", workers=1, batch_size=4, progress=False
    )
    out = read_output(tmp_path / "ray.parquet")
    assert report.pricer == "constant" and report.priced == 25
    assert list(out["id"]) == [str(i) for i in range(25)]
    np.testing.assert_allclose(out["estimate"], np.mean([i.price for i in items]))
    assert (tmp_path / "local.parquet").read_bytes() == (tmp_path / "ray.parquet").read_bytes()


def test_a_worker_that_dies_is_replaced_and_no_row_is_lost_or_duplicated(tmp_path, items):
    frame = catalog_frame(items, 80)
    frame.loc[45, "title"] = f"{KILL_MARKER} {frame.loc[45, 'title']}"
    source = write_catalog(frame, tmp_path / "catalog.jsonl")
    flag = tmp_path / "died.pid"
    dying = DiesOncePricer(str(flag)).fit(items)
    report = price_file(
        source, tmp_path / "ray.jsonl", pricer=dying, engine="ray", workers=2, batch_size=5, progress=False
    )
    assert flag.exists(), "no worker died: the test did not exercise a failure"
    out = read_output(tmp_path / "ray.jsonl")
    assert sorted(out["id"]) == sorted(frame["id"]) and out["id"].is_unique
    assert list(out["id"]) == list(frame["id"])
    assert report.rows == 80 and report.failed == 0 and out["error"].isna().all()
    expected = (
        LengthPricer().fit(items).predict([f"{t}\n{d}" for t, d in zip(frame["title"], frame["description"])])
    )
    np.testing.assert_allclose(out["estimate"], expected.estimate)


def test_llm_pricers_get_one_gpu_per_actor_only_when_the_cluster_has_gpus():
    scale = ScaleSettings()
    assert actor_resources("llm", scale, None, {"CPU": 16, "GPU": 4}) == (4, {"num_gpus": 1, "num_cpus": 1.0})
    assert actor_resources("llm", scale, 2, {"CPU": 16, "GPU": 4})[0] == 2
    assert actor_resources("llm", scale, None, {"CPU": 2}) == (2, {"num_cpus": 1.0})
    assert actor_resources("tfidf", scale, None, {"CPU": 8, "GPU": 1}) == (8, {"num_cpus": 1.0})
    half = ScaleSettings(cpus_per_worker=0.5, workers=3)
    assert actor_resources("tfidf", half, None, {"CPU": 2}) == (3, {"num_cpus": 0.5})
    assert actor_resources("tfidf", ScaleSettings(cpus_per_worker=0.5), None, {"CPU": 2})[0] == 4
