"""Quality: which experts and which data a lab can trust. Agreement (Krippendorff's alpha with
intervals, Cohen's kappa per pair of experts), gold accuracy, expert scores, position bias,
judge calibration and a model leaderboard, read through the kinds' hooks (never a kind's
name), shown on the Quality page, by ``annotate quality`` and by the API."""
