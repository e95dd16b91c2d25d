"""The Ray Data engine: the catalog is read by one streaming read task on the driver's node, priced by
an actor pool (each actor loads the model once) and streamed back, in order, to the driver's writer.

Reading goes through the same readers as the local engine (wrapped as a Ray ``Datasource``), so
row numbering and bad-row handling cannot differ between engines. Ray restarts a dead actor and
re-runs its batch (``max_restarts`` / ``max_task_retries``); order is preserved, so no row is lost
or written twice.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from pricewise.config import ScaleSettings, Settings
from pricewise.errors import ConfigError
from pricewise.pricers.base import Pricer
from pricewise.scale.pricing import price_chunk
from pricewise.scale.readers import iter_chunks
from pricewise.scale.records import ColumnMap

if TYPE_CHECKING:
    from ray.data import Dataset

log = logging.getLogger(__name__)


class PricingActor:
    """One Ray actor: loads its pricer once, then prices every batch it is given."""

    def __init__(self, label: str, settings: Settings, pricer: Pricer | None = None) -> None:
        from pricewise.pricers.store import load_trained

        self.label = label
        self.pricer = pricer if pricer is not None else load_trained(label, settings)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return price_chunk(self.pricer, batch, self.label)


def _catalog_datasource(path: Path, fmt: str, columns: ColumnMap, chunk_rows: int) -> Any:
    """A Ray ``Datasource`` over :func:`iter_chunks` (built lazily: ray is imported only when used)."""
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    class CatalogDatasource(Datasource):
        def get_name(self) -> str:
            return f"Catalog({path.name})"

        def estimate_inmemory_data_size(self) -> int | None:
            return path.stat().st_size

        def supports_distributed_reads(self) -> bool:
            return False  # the file is on the driver's node; the actors may be anywhere

        def get_read_tasks(
            self, parallelism: int, per_task_row_limit: int | None = None, data_context: Any = None
        ) -> list:
            meta = BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None, input_files=[str(path)])
            return [
                ReadTask(
                    lambda: iter_chunks(path, columns, chunk_rows, fmt),
                    meta,
                    per_task_row_limit=per_task_row_limit,
                )
            ]

    return CatalogDatasource()


def connect(settings: Settings, address: str | None) -> bool:
    """Join ``address`` (``auto``, ``ray://host:10001``) or start a local instance; True if we started it."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("the ray engine needs Ray: pip install 'pricewise[scale]'") from exc
    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
    else:
        ray.init(
            num_cpus=settings.scale.ray_num_cpus,
            object_store_memory=settings.scale.ray_object_store_bytes,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
    return True


def actor_resources(
    label: str, scale: ScaleSettings, workers: int | None, cluster: dict[str, float]
) -> tuple[int, dict[str, float]]:
    """How many actors, and what each asks Ray for: a GPU each for the LLM pricers when ``cluster``
    (``ray.cluster_resources()``) has GPUs, else ``cpus_per_worker``; by default one per GPU or core."""
    if label in scale.gpu_pricers and cluster.get("GPU", 0) >= 1:
        return workers or scale.workers or int(cluster["GPU"]), {
            "num_gpus": 1,
            "num_cpus": scale.cpus_per_worker,
        }
    default = max(1, int(cluster.get("CPU", 1) // max(scale.cpus_per_worker, 1e-9)))
    return workers or scale.workers or default, {"num_cpus": scale.cpus_per_worker}


def build_dataset(
    path: Path,
    fmt: str,
    label: str,
    settings: Settings,
    batch_size: int,
    workers: int | None,
    pricer: Pricer | None,
) -> tuple[Dataset, int]:
    """The lazy pipeline read -> price; returns it with the number of actors it will use."""
    import ray
    import ray.data

    columns = ColumnMap.from_settings(settings.scale)
    size, resources = actor_resources(label, settings.scale, workers, ray.cluster_resources())
    with warnings.catch_warnings():
        # Ray 2.60 flags every remote argument as deprecated, yet has no named parameter for the
        # restart budget; without it a row that always kills its worker would be retried forever.
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
        dataset = ray.data.read_datasource(
            _catalog_datasource(path, fmt, columns, batch_size), num_cpus=settings.scale.read_cpus
        ).map_batches(
            PricingActor,
            fn_constructor_kwargs={"label": label, "settings": settings, "pricer": pricer},
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=size),
            max_restarts=settings.scale.max_restarts,
            max_task_retries=settings.scale.max_task_retries,
            **resources,
        )
    return dataset, size


def priced_chunks(
    path: Path,
    fmt: str,
    label: str,
    settings: Settings,
    batch_size: int,
    workers: int | None,
    pricer: Pricer | None,
    address: str | None,
) -> Iterator[pa.Table]:
    """Priced chunks in input order, computed on Ray; shuts down the Ray instance it started."""
    import ray.data

    started = connect(settings, address)
    if not log.isEnabledFor(logging.INFO):  # Ray Data's per-dataset INFO lines follow pricewise's -v
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = ray.data.DataContext.get_current()
    saved = context.execution_options.preserve_order, context.enable_progress_bars
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    try:
        dataset, size = build_dataset(path, fmt, label, settings, batch_size, workers, pricer)
        log.info("pricing %s on Ray with %d actor(s)", path, size)
        yield from dataset.iter_batches(batch_size=None, batch_format="pyarrow")
    finally:
        context.execution_options.preserve_order, context.enable_progress_bars = saved
        if started:
            ray.shutdown()
