"""Hugging Face datasets: a ``save_to_disk`` folder, anything ``load_dataset`` reads locally
(a dataset folder or data files), and a Hub name when the machine is online.

``datasets`` is imported inside the readers (0.5 s or more at import). Datasets are
read with ``streaming=True`` or memory-mapped Arrow, so memory stays flat. Remote code
is never run: ``trust_remote_code`` is not passed, and ``datasets`` 3+ refuses
dataset scripts anyway.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.readers.base import ReadContext, Reader, Row
from annotate.limits import value_problem

BATCH_ROWS = 1000
BUILDERS = {
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` (or ``HF_DATASETS_OFFLINE``) asks for no network."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
        for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")
    )


def _pick_split(splits: Iterable[str], wanted: str | None, source: str) -> str:
    names = list(splits)
    if wanted is not None:
        if wanted not in names:
            raise ImportFailed(source, None, f"no split {wanted!r}; the dataset has: {', '.join(names)}")
        return wanted
    if len(names) == 1:
        return names[0]
    raise ImportFailed(source, None, f"the dataset has several splits ({', '.join(names)}); choose one with --split")


def _rows(dataset: Iterable[dict[str, Any]], context: ReadContext, total: int | None) -> Iterator[tuple[str, Row]]:
    context.total_rows = total
    limits = context.limits
    for index, row in enumerate(dataset, start=1):
        if total and index % 256 == 0:
            context.fraction = index / total
        row = dict(row)
        found = value_problem(row, limits.depth, limits.field_bytes)
        if found is not None:
            raise LimitExceeded(context.source, f"row {index}", f"{found[0]}: {found[1]}")
        yield f"row {index}", row
    context.fraction = 1.0


def read_disk(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """A folder written by ``Dataset.save_to_disk`` or ``DatasetDict.save_to_disk``."""
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError) as exc:
        raise ImportFailed(context.source, None, f"not a dataset folder written by save_to_disk ({exc})") from None
    if isinstance(loaded, datasets.DatasetDict):
        loaded = loaded[_pick_split(loaded.keys(), context.split, context.source)]
    elif context.split is not None:
        raise ImportFailed(context.source, None, "this folder holds a single dataset with no splits; drop --split")
    yield from _rows(loaded, context, loaded.num_rows)


def _load(target: str, context: ReadContext, **kwargs: Any) -> Iterator[tuple[str, Row]]:
    import datasets

    try:
        loaded = datasets.load_dataset(target, name=context.config, streaming=True, **kwargs)
    except (FileNotFoundError, ValueError, datasets.exceptions.DatasetNotFoundError) as exc:
        raise ImportFailed(context.source, None, f"datasets could not load it: {exc}") from None
    if isinstance(loaded, datasets.IterableDatasetDict):
        loaded = loaded[_pick_split(loaded.keys(), context.split, context.source)]
    total = None
    info = getattr(loaded, "info", None)
    split_info = (info.splits or {}).get(str(loaded.split)) if info and info.splits else None
    if split_info is not None:
        total = split_info.num_examples or None
    yield from _rows(loaded, context, total)


def read_load(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """A local dataset folder, or data files, read by ``datasets.load_dataset``."""
    path = Path(path)
    if path.is_file():
        suffix = "".join(path.suffixes[-2:]).removesuffix(".gz")
        builder = BUILDERS.get(Path(suffix).suffix or suffix)
        if builder is None:
            raise ImportFailed(context.source, None, f"datasets cannot read {path.suffix} files")
        return _load(builder, context, data_files=str(path), split=context.split or "train")
    return _load(str(path), context, split=context.split)


def read_hub(name: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """A dataset on the Hugging Face Hub, by name; refused when the machine is offline."""
    if offline():
        raise ImportFailed(
            str(name),
            None,
            "HF_HUB_OFFLINE is set, so Hub datasets cannot be fetched; download it on a "
            "connected machine with save_to_disk and import that folder",
        )
    return _load(str(name), context, split=context.split)


DISK = Reader("hf-disk", "Hugging Face dataset folder (save_to_disk)", (), read_disk)
LOAD = Reader("hf-load", "Hugging Face load_dataset (local folder or data files)", (), read_load)
HUB = Reader("hf-hub", "Hugging Face Hub dataset", (), read_hub)
