"""Browser tests: the fixtures (``browser``, ``page``) live in ``tests/chromium.py``, loaded for
the whole suite by the root conftest."""
