"""Apache Parquet, read in record batches with pyarrow (imported here, not at start-up)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotate.ingest.errors import ImportFailed
from annotate.ingest.readers.base import ReadContext, Reader, Row

BATCH_ROWS = 1024


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("row N", row)`` for every row, one record batch in memory at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFailed(context.source, None, f"not a readable Parquet file ({exc})") from None
    total = parquet.metadata.num_rows
    context.total_rows = total
    index = 0
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                index += 1
                yield f"row {index}", row
            context.fraction = index / total if total else 1.0
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFailed(context.source, f"after row {index}", f"the Parquet data is corrupt ({exc})") from None
    context.fraction = 1.0


READER = Reader("parquet", "Parquet", (".parquet", ".pq"), read)
