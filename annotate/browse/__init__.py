"""The researcher's data browser: items (full-text search, filters, keyset pages), one item with
every judgment on it, judgments with bulk review, and the same lists in the API."""
