"""Apache Parquet, read in record batches with pyarrow (imported here, not at start-up)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.readers.base import ReadContext, Reader, Row
from annotate.limits import too_deep, too_large, value_problem

BATCH_ROWS = 1024


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("row N", row)`` for every row, one record batch in memory at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFailed(context.source, None, f"not a readable Parquet file ({exc})") from None
    limits = context.limits
    _check_metadata(parquet, context)
    total = parquet.metadata.num_rows
    context.total_rows = total
    index = 0
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                index += 1
                found = value_problem(row, limits.depth, limits.field_bytes)
                if found is not None:
                    raise LimitExceeded(context.source, f"row {index}", f"{found[0]}: {found[1]}")
                yield f"row {index}", row
            context.fraction = index / total if total else 1.0
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFailed(context.source, f"after row {index}", f"the Parquet data is corrupt ({exc})") from None
    context.fraction = 1.0


def _check_metadata(parquet: Any, context: ReadContext) -> None:
    """Refuse, before reading any data, a file that decompresses past the limit or nests too deep.

    Parquet's pages are compressed: the footer states each row group's uncompressed size,
    so a bomb is refused from its metadata. The schema fixes every row's depth.
    """
    limits = context.limits
    metadata = parquet.metadata
    size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if size > limits.decompressed_bytes:
        raise LimitExceeded(
            context.source,
            None,
            too_large("the decompressed data", limits.decompressed_bytes, "IMPORT_MAX_DECOMPRESSED_BYTES"),
        )
    for i in range(metadata.num_row_groups):
        group = metadata.row_group(i)
        if group.num_rows and group.total_byte_size / group.num_rows > limits.row_bytes:
            # Pages are decoded whole: a row group whose rows average past the row limit is refused unread.
            raise LimitExceeded(
                context.source, f"row group {i + 1}", too_large("a row", limits.row_bytes, "IMPORT_MAX_ROW_BYTES")
            )
    deepest = max((_depth(field.type) for field in parquet.schema_arrow), default=0)
    if deepest + 1 > limits.depth:
        raise LimitExceeded(context.source, None, too_deep(limits.depth))


def _depth(arrow_type: Any) -> int:
    """Levels of lists and structs in an Arrow type (a scalar is 0)."""
    import pyarrow as pa

    if pa.types.is_struct(arrow_type):
        return 1 + max((_depth(arrow_type.field(i).type) for i in range(arrow_type.num_fields)), default=0)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return 1 + _depth(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return 2 + max(_depth(arrow_type.key_type), _depth(arrow_type.item_type))
    return 0


READER = Reader("parquet", "Parquet", (".parquet", ".pq"), read)
