"""Fixtures for the export tests: projects of every kind with fixed judgments, made through
the ORM (answers of the contract's shapes), so that golden files are byte-stable."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from annotate.auth.services import add_user
from annotate.models import (
    Assignment,
    AssignmentStatus,
    Batch,
    BatchStatus,
    InstructionsVersion,
    Item,
    Judgment,
    Project,
    ProjectRole,
    Review,
    ReviewVerdict,
    Role,
)
from annotate.models.work import ReviewState
from annotate.projects.services import add_member

REPO = Path(__file__).resolve().parents[2]
EXPORTS = REPO / "exports"
GOLDEN = Path(__file__).parent / "golden"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

CONFIGS = {
    "pairwise": {
        "allow_tie": True,
        "allow_both_bad": True,
        "rationale": "optional",
        "strength": {"labels": ["slightly better", "better", "much better"]},
    },
    "ranking": {"allow_ties": True},
    "rubric": {
        "criteria": [
            {
                "id": "helpfulness",
                "label": "Helpfulness",
                "description": "Does it help?",
                "scale": {"min": 1, "max": 5, "anchors": {"1": "no", "5": "fully"}},
            },
            {
                "id": "correctness",
                "label": "Correctness",
                "description": "Is it right?",
                "scale": {"min": 0, "max": 4, "anchors": {"0": "wrong", "4": "right"}},
            },
        ]
    },
    "critique": {"span_labels": ["error", "unsafe", "style"], "score": {"min": 1, "max": 7}},
    "caption": {"labels": ["Speech", "Sound"], "allow_overlap": False, "abstain_reasons": ["no sound"]},
    "rating": {
        "question": "How helpful is this response?",
        "scale": {"min": 1, "max": 5, "anchors": {"1": "Useless", "5": "Excellent"}},
        "criteria": [{"id": "accuracy", "label": "Accuracy"}],
        "rationale": "optional",
        "abstain_reasons": ["outside my expertise"],
    },
    "demonstration": {
        "min_length": 5,
        "draft": "on_request",
        "checklist": [{"id": "correct", "label": "It is correct"}],
        "abstain_reasons": ["outside my expertise"],
    },
}


def schema_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(orjson.loads((EXPORTS / f"{name}.schema.json").read_bytes()))


def read_jsonl(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines() if line]


class Seeder:
    """Builds a project, its experts (fixed pseudonyms), items and judgments directly."""

    def __init__(self, session: Session):
        self.session = session
        self.experts: dict[str, object] = {}
        self.clock = 0

    def project(self, kind: str, slug: str | None = None, overlap: int = 2, config: dict | None = None) -> Project:
        template = {
            "kind": kind,
            "version": 3,
            "title": f"{kind.title()} test",
            "description": f"A {kind} template for the export tests.",
            "instructions": "Pick the better reply.",
            "config": config if config is not None else CONFIGS[kind],
        }
        project = Project(
            slug=slug or f"{kind}-proj",
            title=f"{kind.title()} export test",
            template=template,
            template_name=f"{kind}-test",
            template_version=3,
            instructions_version=2,
            overlap=overlap,
            randomize_order=True,
        )
        self.session.add(project)
        self.session.flush()
        for version, body in ((1, "Old instructions."), (2, "Read both replies.\n\nPrefer **correct** answers.")):
            self.session.add(InstructionsVersion(project_id=project.id, version=version, body=body))
        self.batch(project)
        self.session.flush()
        return project

    def batch(self, project: Project, source: str = "items.jsonl") -> Batch:
        batch = Batch(
            project_id=project.id,
            source=source,
            format="jsonl",
            shape="canonical",
            status=BatchStatus.COMPLETE,
            created_at=T0,
        )
        self.session.add(batch)
        self.session.flush()
        return batch

    def expert(self, project: Project, name: str):
        """A member expert whose pseudonym is fixed (``expert-0000000a`` for "a")."""
        user = self.experts.get(name)
        if user is None:
            user = add_user(self.session, f"{name}@example.org", role=Role.EXPERT, password=None)
            self.experts[name] = user
        member = add_member(self.session, project, user, ProjectRole.EXPERT)
        member.pseudonym = "expert-" + name.encode().hex().rjust(8, "0")[-8:]
        self.session.flush()
        return user

    def item(
        self,
        project: Project,
        external_id: str,
        *,
        responses=None,
        prompt=None,
        gold=None,
        batch=None,
        meta=None,
        suggestion=None,
    ) -> Item:
        responses = (
            responses
            if responses is not None
            else [
                {"id": "r1", "content": f"First answer to {external_id}.", "model": "model-a"},
                {"id": "r2", "content": f"Second answer to {external_id}.", "model": "model-b"},
            ]
        )
        prompt = prompt or [{"role": "user", "content": f"Question {external_id}?"}]
        batch_id = (
            batch.id
            if batch
            else self.session.query(Batch.id).filter_by(project_id=project.id).order_by(Batch.id).first()[0]
        )
        item = Item(
            project_id=project.id,
            batch_id=batch_id,
            external_id=external_id,
            content_hash=hashlib.sha256(external_id.encode()).hexdigest(),
            prompt=prompt,
            responses=responses,
            meta=meta if meta is not None else {"source_row": external_id},
            gold=gold,
            suggestion=suggestion,
        )
        self.session.add(item)
        self.session.flush()
        return item

    def judge(
        self,
        project,
        item,
        expert_name,
        answers,
        *,
        order=None,
        review=None,
        at=None,
        adjudication=False,
        turns=None,
        suggestion=None,
    ) -> Judgment:
        expert = self.expert(project, expert_name)
        self.clock += 1
        when = at or T0 + timedelta(minutes=self.clock)
        assignment = Assignment(
            project_id=project.id,
            item_id=item.id,
            expert_id=expert.id,
            status=AssignmentStatus.SUBMITTED,
            leased_at=when - timedelta(minutes=1),
            expires_at=when + timedelta(minutes=30),
            finished_at=when,
            display_order=order or [r["id"] for r in item.responses],
            active_seconds=30 + self.clock,
        )
        self.session.add(assignment)
        self.session.flush()
        judgment = Judgment(
            assignment_id=assignment.id,
            project_id=project.id,
            item_id=item.id,
            expert_id=expert.id,
            answers=answers,
            template_name=project.template_name,
            template_version=project.template_version,
            instructions_version=project.instructions_version,
            active_seconds=30 + self.clock,
            # Server-measured time and flags (annotate.timekeeping): every fourth judgment is too fast.
            interval_count=1 + self.clock % 3,
            flags={"too_fast": {"value": 30 + self.clock, "limit": 60}} if self.clock % 4 == 0 else None,
            flag_bits=1 if self.clock % 4 == 0 else 0,
            created_at=when,
            updated_at=when,
            adjudication=adjudication,
            turns=turns,
            suggestion=suggestion,
        )
        self.session.add(judgment)
        self.session.flush()
        if review is not None:
            self.review(judgment, review, at=when + timedelta(hours=1))
        return judgment

    def review(self, judgment: Judgment, verdict: str, at=None, comment: str = "") -> Review:
        review = Review(
            judgment_id=judgment.id,
            verdict=ReviewVerdict(verdict),
            comment=comment or f"{verdict}ed",
            created_at=at or T0 + timedelta(days=1),
        )
        self.session.add(review)
        # As the review services do: the judgment's state mirrors its latest review.
        judgment.review_state = ReviewState.REJECTED if verdict == "reject" else ReviewState.ACCEPTED
        self.session.flush()
        return review


@pytest.fixture
def seed(session) -> Seeder:
    return Seeder(session)


@pytest.fixture
def export_bytes(app, session):
    """Run an export through the service, as the CLI does; returns (bytes, summary, record)."""
    from annotate import db
    from annotate.export.base import ExportOptions
    from annotate.export.services import export_to, get_format

    def run(project: Project, fmt: str, **options):
        session.commit()
        with app.app_context():
            s = db.session()
            db.begin_write(s)
            out = io.BytesIO()
            record, summary = export_to(
                s,
                s.get(Project, project.id),
                get_format(fmt),
                out,
                options=ExportOptions(**options),
                user=None,
                channel="cli",
            )
            s.commit()
            return out.getvalue(), summary, record

    return run


def pairwise_fixture(seed: Seeder) -> Project:
    """Five items judged by three experts (overlap 3), covering wins, ties, abstains,
    a tied vote, an incomplete item, a multi-turn prompt and a rejected judgment."""
    project = seed.project("pairwise", overlap=3)
    p1 = seed.item(project, "p1", suggestion={"preferred": "r2", "model": "judge-llm", "score": 0.8})
    seen = {"policy": "after_answer", "seen": True, "seen_at": "2026-11-20T09:01:00+00:00"}
    seed.judge(
        project,
        p1,
        "a",
        {"preferred": "r2", "strength": "much better", "rationale": "B is right."},
        order=["r2", "r1"],
        suggestion={**seen, "revised": True, "revised_at": "2026-11-20T09:05:00+00:00"},
    )
    seed.judge(
        project,
        p1,
        "b",
        {"preferred": "r2", "strength": "slightly better"},
        order=["r1", "r2"],
        suggestion={**seen, "seen_at": "2026-11-20T09:02:00+00:00", "revised": False, "revised_at": None},
    )
    seed.judge(project, p1, "c", {"preferred": "r1", "strength": "slightly better"}, order=["r2", "r1"])
    p2 = seed.item(
        project,
        "p2",
        prompt=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello."},
            {"role": "user", "content": "Capital of France?"},
        ],
        responses=[
            {"id": "r1", "content": "Paris.", "model": "model-a"},
            {"id": "r2", "content": "Lyon.", "model": "model-b"},
        ],
    )
    seed.judge(
        project,
        p2,
        "a",
        {"preferred": "r1", "strength": "much better"},
        turns=[{"turn": 2, "rating": None, "flagged": True, "reasons": ["Factual error"], "comment": "Not a greeting"}],
    )
    seed.judge(project, p2, "b", {"preferred": "r1", "strength": "better"}, order=["r2", "r1"])
    seed.judge(project, p2, "c", {"preferred": "tie"})
    p3 = seed.item(project, "p3")
    seed.judge(project, p3, "a", {"preferred": "tie"})
    seed.judge(project, p3, "b", {"preferred": "tie", "both_bad": True})
    seed.judge(project, p3, "c", {"preferred": "r1", "strength": "better"})
    p4 = seed.item(project, "p4")
    seed.judge(project, p4, "a", {"abstain": {"reason": "outside my expertise"}})
    seed.judge(project, p4, "b", {"preferred": "r2", "strength": "better"})
    seed.judge(project, p4, "c", {"preferred": "r1", "strength": "better"}, review="reject")
    p5 = seed.item(project, "p5")
    seed.judge(project, p5, "a", {"preferred": "r1", "strength": "better"})
    seed.judge(project, p5, "b", {"preferred": "r1", "strength": "better"})
    return project


def ranking_fixture(seed: Seeder) -> Project:
    project = seed.project("ranking", overlap=2)
    responses = [
        {"id": "r1", "content": "One.", "model": "m1"},
        {"id": "r2", "content": "Two.", "model": "m2"},
        {"id": "r3", "content": "Three.", "model": "m3"},
    ]
    k1 = seed.item(project, "k1", responses=responses)
    seed.judge(project, k1, "a", {"ranking": [["r2"], ["r1"], ["r3"]]}, order=["r3", "r1", "r2"])
    seed.judge(project, k1, "b", {"ranking": [["r2"], ["r1", "r3"]], "rationale": "r1 and r3 equally weak"})
    k2 = seed.item(project, "k2", responses=responses)
    seed.judge(project, k2, "a", {"ranking": [["r3"], ["r2"], ["r1"]]})
    seed.judge(project, k2, "b", {"abstain": {"reason": "unclear prompt", "comment": "ambiguous"}})
    return project


def rubric_fixture(seed: Seeder) -> Project:
    project = seed.project("rubric", overlap=2)
    u1 = seed.item(project, "u1")
    seed.judge(
        project,
        u1,
        "a",
        {
            "scores": {"r1": {"helpfulness": 4, "correctness": 3}, "r2": {"helpfulness": 2, "correctness": 1}},
            "rationales": {"r1": {"helpfulness": "clear"}},
        },
    )
    seed.judge(
        project,
        u1,
        "b",
        {"scores": {"r1": {"helpfulness": 5, "correctness": 3}, "r2": {"helpfulness": 2, "correctness": 2}}},
    )
    u2 = seed.item(project, "u2")
    seed.judge(
        project,
        u2,
        "a",
        {"scores": {"r1": {"helpfulness": 3, "correctness": 2}, "r2": {"helpfulness": 3, "correctness": 2}}},
    )
    seed.judge(
        project,
        u2,
        "b",
        {"scores": {"r1": {"helpfulness": 3, "correctness": 2}, "r2": {"helpfulness": 3, "correctness": 2}}},
    )
    return project


def critique_fixture(seed: Seeder) -> Project:
    project = seed.project("critique", overlap=1)
    c1 = seed.item(
        project,
        "c1",
        responses=[
            {"id": "r1", "content": "Take 4000 mg of ibuprofen daily.", "model": "model-a"},
            {"id": "r2", "content": "Ask a pharmacist.", "model": "model-b"},
        ],
    )
    seed.judge(
        project,
        c1,
        "a",
        {
            "critiques": {
                "r1": {
                    "critique": "Dangerous dose.",
                    "spans": [
                        {
                            "start": 5,
                            "end": 12,
                            "label": "unsafe",
                            "comment": "above the OTC maximum",
                            "text": "4000 mg",
                        }
                    ],
                    "rewrite": "Do not exceed 1200 mg a day without a doctor.",
                    "score": 1,
                },
                "r2": {"critique": "Safe but thin.", "spans": [], "rewrite": None, "score": None},
            }
        },
    )
    c2 = seed.item(project, "c2")
    seed.judge(project, c2, "b", {"abstain": {"reason": "outside my expertise"}})
    return project


def rating_fixture(seed: Seeder) -> Project:
    """Five one-response items rated by two experts (overlap 2): agreement high and low, a
    score on the threshold, an abstention, an adjudicated item, an incomplete item."""
    project = seed.project("rating", overlap=2)

    def one(external_id: str, **kw) -> Item:
        responses = [{"id": "r1", "content": f"The answer to {external_id}.", "model": "model-a"}]
        return seed.item(project, external_id, responses=responses, **kw)

    g1 = one("g1")
    seed.judge(project, g1, "a", {"rating": 5, "criteria": {"accuracy": 5}, "rationale": "Right."})
    seed.judge(project, g1, "b", {"rating": 4, "criteria": {"accuracy": 4}})
    g2 = one("g2")
    seed.judge(project, g2, "a", {"rating": 1, "criteria": {"accuracy": 1}})
    seed.judge(project, g2, "b", {"rating": 2, "criteria": {"accuracy": 3}})
    g3 = one("g3")  # the mean, 3 of 1-5, is 0.5: on the default threshold, so not desirable
    seed.judge(project, g3, "a", {"rating": 2, "criteria": {"accuracy": 2}})
    seed.judge(project, g3, "b", {"rating": 4, "criteria": {"accuracy": 4}})
    g4 = one("g4")
    seed.judge(project, g4, "a", {"abstain": {"reason": "outside my expertise"}})
    seed.judge(project, g4, "b", {"rating": 5, "criteria": {"accuracy": 5}})
    g5 = one("g5")
    seed.judge(project, g5, "a", {"rating": 1, "criteria": {"accuracy": 1}})
    seed.judge(project, g5, "b", {"rating": 5, "criteria": {"accuracy": 5}})
    seed.judge(project, g5, "c", {"rating": 4, "criteria": {"accuracy": 4}}, adjudication=True)
    g6 = one("g6")  # one judgment of two: incomplete
    seed.judge(project, g6, "a", {"rating": 3, "criteria": {"accuracy": 3}})
    return project


def caption_fixture(seed: Seeder) -> Project:
    """Two clips: one captioned by two experts (labels, a segment without one, text that WebVTT
    must escape), one with an abstention and a clip whose duration is unknown."""
    project = seed.project("caption", overlap=2)
    tone = {"type": "audio", "src": "https://cdn.example.org/tone-3s.wav", "duration": 3.0}
    v1 = seed.item(
        project,
        "clip/1 <tone>",
        prompt=[{"role": "user", "content": "Caption this clip."}],
        responses=[{"id": "r1", "content": "", "media": tone}],
    )
    seed.judge(
        project,
        v1,
        "a",
        {
            "segments": [
                {"start": 0.0, "end": 1.5, "text": "[low tone]", "label": "Sound"},
                {"start": 1.5, "end": 3.0, "text": "Higher --> & <louder>\n\nstill", "label": "Speech"},
            ]
        },
    )
    seed.judge(project, v1, "b", {"segments": [{"start": 0.25, "end": 2.75, "text": "A tone rises."}]})
    v2 = seed.item(
        project,
        "clip-2",
        prompt=[{"role": "user", "content": "Caption this clip."}],
        responses=[
            {
                "id": "r1",
                "content": "A generated clip.",
                "media": {"type": "video", "src": "https://cdn.example.org/v.mp4"},
            }
        ],
    )
    seed.judge(project, v2, "a", {"abstain": {"reason": "no sound"}})
    seed.judge(project, v2, "b", {"segments": [{"start": 61.5, "end": 3725.125, "text": "Long.", "label": "Speech"}]})
    return project


def demonstration_fixture(seed: Seeder) -> Project:
    """Demonstrations: a one-turn prompt with no draft, a multi-turn prompt whose draft one
    expert started from and another did not open, an abstention, a rejected judgment."""
    project = seed.project("demonstration", overlap=2)
    d1 = seed.item(project, "d1", responses=[])
    seed.judge(project, d1, "a", {"text": "Paris is the capital of **France**.", "checklist": {"correct": True}})
    seed.judge(project, d1, "b", {"abstain": {"reason": "outside my expertise"}})
    d2 = seed.item(
        project,
        "d2",
        prompt=[
            {"role": "system", "content": "You are a careful tutor."},
            {"role": "user", "content": "What is 2 + 2?"},
            {"role": "assistant", "content": "5."},
            {"role": "user", "content": "Are you sure? Show the sum."},
        ],
        responses=[{"id": "r1", "content": "Yes, 2 + 2 = 5.", "model": "draft-model"}],
    )
    seed.judge(
        project,
        d2,
        "a",
        {
            "text": "No, I was wrong: $2 + 2 = 4$.",
            "checklist": {"correct": True},
            "draft": {"policy": "on_request", "shown": True, "started_from": True, "distance": 15, "similarity": 0.5},
        },
    )
    seed.judge(
        project,
        d2,
        "b",
        {
            "text": "Let me check: 2 + 2 = 4, so my earlier answer was wrong.",
            "checklist": {"correct": True},
            "draft": {"policy": "on_request", "shown": False, "started_from": False, "distance": 44, "similarity": 0.2},
        },
    )
    d3 = seed.item(project, "d3", responses=[])
    seed.judge(project, d3, "c", {"text": "A bad answer.", "checklist": {"correct": True}}, review="reject")
    return project


FIXTURES = {
    "pairwise": pairwise_fixture,
    "ranking": ranking_fixture,
    "rubric": rubric_fixture,
    "critique": critique_fixture,
    "rating": rating_fixture,
    "caption": caption_fixture,
    "demonstration": demonstration_fixture,
}


@pytest.fixture
def build(seed):
    """build(kind) -> a project of that kind with the fixed judgments above."""
    return lambda kind: FIXTURES[kind](seed)


@pytest.fixture
def validate():
    """validate(schema name, rows): fail naming the first invalid row, message and JSON path."""

    def check(name: str, rows: list[dict]) -> None:
        validator = schema_validator(name)
        for number, row in enumerate(rows, 1):
            errors = sorted(validator.iter_errors(row), key=str)
            assert not errors, f"{name} row {number}: {errors[0].message} at {list(errors[0].absolute_path)}"

    return check
