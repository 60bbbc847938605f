"""The assignment engine: who judges what next, leases, overlap, and submitting judgments."""
