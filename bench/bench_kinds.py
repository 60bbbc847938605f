"""Benchmark: the task kinds' own server-side costs.

Prints medians for:

* the word diff of two 4 KB responses (pairwise diff view, critique rewrite diff),
  cold (first render of an item in a process) and cached;
* validating one answer against its kind's answer schema plus the extra checks,
  for each shipped kind (what every submit pays);
* ``from_form`` for each kind (parsing the plain form post).

Run: ``.venv/bin/python bench/bench_kinds.py [--runs N]``. Pure in-process; no database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

from werkzeug.datastructures import MultiDict

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_render import response_markdown  # noqa: E402

from annotate.kinds import answer_problems, get_kind  # noqa: E402
from annotate.kinds.diff import word_diff  # noqa: E402
from annotate.kinds.templates import load_template  # noqa: E402

TEMPLATES = REPO / "task_templates"


def median_us(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def cases():
    """(template, response count, form) for one realistic answer of each kind."""
    helpsteer = ["helpfulness", "correctness", "coherence", "complexity", "verbosity"]
    content = response_markdown(1)
    yield (
        "pairwise-multi-criteria",
        [{"id": "r1", "content": content}, {"id": "r2", "content": content}],
        MultiDict(
            {
                "preferred": "r1",
                "strength": "Clearly better",
                "criterion-helpfulness": "r1",
                "criterion-correctness": "tie",
                "criterion-safety": "r2",
                "rationale": "A is correct and complete; B misses the edge case entirely.",
            }
        ),
    )
    yield (
        "ranking",
        [{"id": f"r{i}", "content": content} for i in range(1, 5)],
        MultiDict({"rank-r1": "2", "rank-r2": "1", "rank-r3": "2", "rank-r4": "3"}),
    )
    yield (
        "critique",
        [{"id": "r1", "content": content}],
        MultiDict(
            {
                "critique-r1": "The formula ignores empty input in one branch.",
                "rewrite-r1": content.replace("careful", "very careful"),
                "spans-r1": '[{"start": 21, "end": 28, "label": "Unclear", "comment": "", "text": "'
                + content[21:28]
                + '"}]',
                "score-r1": "5",
            }
        ),
    )
    yield (
        "helpsteer",
        [{"id": f"r{i}", "content": content} for i in range(1, 4)],
        MultiDict({f"score-r{i}-{c}": "3" for i in range(1, 4) for c in helpsteer}),
    )
    yield (
        "ultrafeedback",
        [{"id": "r1", "content": content}, {"id": "r2", "content": content}],
        MultiDict(
            {
                **{
                    f"score-r{i}-{c}": "4"
                    for i in (1, 2)
                    for c in ("instruction_following", "honesty", "truthfulness", "helpfulness")
                },
                **{
                    f"rationale-r{i}-{c}": "A rationale that is long enough."
                    for i in (1, 2)
                    for c in ("instruction_following", "honesty", "truthfulness", "helpfulness")
                },
            }
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()

    a, b = response_markdown(1), response_markdown(2)
    edited = a.replace("careful", "careless", 3)
    cold_runs = max(20, args.runs // 10)
    print("word diff, two 4 KB Markdown responses (median):")
    for label, other in (("unrelated responses", b), ("a small rewrite", edited)):
        cold = median_us(partial(word_diff.__wrapped__, a, other), cold_runs) / 1000
        print(f"  cold, {label:<23} {cold:7.2f} ms")
    word_diff(a, b)
    print(f"  cached                        {median_us(lambda: word_diff(a, b), args.runs):7.2f} µs")

    print(f"answers, median of {args.runs} runs (schema + extra + content checks | from_form):")
    for name, responses, form in cases():
        template = load_template(name, TEMPLATES)
        kind, config = get_kind(template["kind"]), template["config"]
        ids = [r["id"] for r in responses]
        answers = kind.from_form(config, ids, form)
        assert answer_problems(kind, config, answers, responses) == [], (
            name,
            answer_problems(kind, config, answers, responses),
        )
        check = median_us(partial(answer_problems, kind, config, answers, responses), args.runs)
        parse = median_us(partial(kind.from_form, config, ids, form), args.runs)
        print(f"  {name:<24} {check:7.1f} µs | {parse:6.1f} µs")


if __name__ == "__main__":
    main()
