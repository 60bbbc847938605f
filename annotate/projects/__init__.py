"""Projects: creation, members, settings, progress."""
