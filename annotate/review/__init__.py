"""Review and adjudication: reviewers accept, reject (back to the expert) or fix judgments."""
