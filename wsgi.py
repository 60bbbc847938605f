"""WSGI entry point: ``gunicorn wsgi:app``."""

import gc

from annotate import create_app

app = create_app()
# What start-up made lives as long as the worker: keep it out of the garbage collector's
# full collections, which otherwise walk all of it in the middle of a request now and then
# (the longest claims and submits in bench/bench_assign.py: max 80-100 ms, 35-60 ms frozen).
gc.freeze()
