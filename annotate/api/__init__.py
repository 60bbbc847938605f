"""JSON API v1: bearer tokens, the same services as the pages."""
