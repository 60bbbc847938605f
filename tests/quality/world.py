"""A team's pairwise project for the quality pages (importable as ``quality.world``): experts of
different care and bias, gold items, an automatic judge's suggestions and three models."""

from __future__ import annotations

import random

MODELS = ("model-alpha", "model-beta", "model-gamma")
# name -> (how often they give the true answer, how often they simply pick the response shown first)
TEAM = {
    "amara": (0.92, 0.0),
    "ben": (0.85, 0.05),
    "chen": (0.75, 0.1),
    "dana": (0.55, 0.6),
}
CONFIG = {"allow_tie": True, "rationale": "optional"}


def team_project(seed, n_items: int = 60, slug: str = "derm-quality"):
    """``n_items`` items judged by every expert of TEAM; every fifth item is gold, every item has
    a suggestion from ``judge-small`` that is right three times in four."""
    rng = random.Random(7)
    project = seed.project("pairwise", slug=slug, overlap=len(TEAM), config=CONFIG)
    project.title = "Dermatology answers: which is safer?"
    strength = dict(zip(MODELS, (1.0, 0.2, -0.6), strict=True))
    for n in range(n_items):
        a, b = rng.sample(MODELS, 2)
        truth = "r1" if strength[a] + rng.gauss(0, 0.8) > strength[b] else "r2"
        item = seed.item(
            project,
            f"case-{n:03d}",
            responses=[
                {"id": "r1", "content": f"Answer one to case {n}.", "model": a},
                {"id": "r2", "content": f"Answer two to case {n}.", "model": b},
            ],
            gold={"preferred": truth, "explanation": "The guideline says so."} if n % 5 == 0 else None,
        )
        wrong = "r2" if truth == "r1" else "r1"
        item.suggestion = {"model": "judge-small", "preferred": truth if rng.random() < 0.75 else wrong}
        for name, (care, lean) in TEAM.items():
            order = ["r1", "r2"] if rng.random() < 0.5 else ["r2", "r1"]
            verdict = order[0] if rng.random() < lean else truth if rng.random() < care else wrong
            seed.judge(project, item, name, {"preferred": verdict}, order=order)
    seed.session.flush()
    return project
