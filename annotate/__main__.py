"""``python -m annotate``: the ``annotate`` command (``annotate serve`` starts its worker this way)."""

from annotate.cli import main

main()
