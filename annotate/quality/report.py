"""The quality report of one project: one pass over its judgments, read through the kind's hooks
(``questions``, ``votes``, ``choice``, ``gold_match`` via ``match_gold``), never its name.

What it holds (the page, ``annotate quality SLUG --json`` and the API show the same):

* ``agreement``: Krippendorff's alpha per question at the question's level, with the items,
  units and judgments it rests on and a bootstrap 95% interval (annotate.quality.agreement).
* ``kappa``: Cohen's kappa of every pair of experts sharing at least ``MIN_SHARED`` units of
  the primary question (the kind's first headline question).
* ``experts``: per expert, gold accuracy, agreement with the leave-one-out majority (the most
  common value the *other* experts gave the unit, when one value has strictly the most
  votes), first-pass review acceptance, the share of judgments without an integrity flag,
  the rate at which the response shown first won (with the exact binomial test), the median
  active seconds; and one score from them (annotate.quality.scores).
* ``position``: the project's first-shown win rate, its p-value and Wilson band.
* ``judge``: an automatic judge's suggestion (``Item.suggestion``) against the human
  majority: Cohen's kappa per judge, per question and per expert.
* ``leaderboard``: a Bradley-Terry fit of the battles between models (the responses'
  ``model``), ties half a win, on the Elo scale (annotate.quality.stats); ``leaderboards``:
  one per question that compares responses (each criterion).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from annotate.kinds import get_kind, match_gold
from annotate.kinds.base import Kind, Question, Vote
from annotate.models import Project, ReviewVerdict
from annotate.quality import queries, scores
from annotate.quality.agreement import Measure, measures_for
from annotate.quality.judge import judge_answers
from annotate.quality.stats import binomial_two_sided, cohen_kappa_table, leaderboard, wilson_interval

MIN_SHARED = 10  # units two experts must share for their kappa to be shown
TIE = "tie"


@dataclass
class ExpertTally:
    """What one pass counts of one expert."""

    judgments: int = 0
    gold_right: int = 0
    gold_compared: int = 0
    consensus_agree: int = 0
    consensus_compared: int = 0
    first_wins: int = 0
    first_decided: int = 0
    flagged: int = 0
    reviewed: int = 0
    accepted_first: int = 0
    seconds: list[int] = field(default_factory=list)


class Kappa:
    """Contingency counts of two raters over shared units, by value."""

    def __init__(self) -> None:
        self.pairs: Counter[tuple[Hashable, Hashable]] = Counter()

    def add(self, a: Hashable, b: Hashable) -> None:
        self.pairs[(a, b)] += 1

    @property
    def shared(self) -> int:
        return sum(self.pairs.values())

    def value(self) -> float | None:
        labels = {v: i for i, v in enumerate(dict.fromkeys(x for pair in self.pairs for x in pair))}
        table = [[0] * len(labels) for _ in labels]
        for (a, b), n in self.pairs.items():
            table[labels[a]][labels[b]] += n
        found = cohen_kappa_table(table)
        return None if found is None else round(found, 4)


def strict_mode(values: Iterable[Hashable]) -> Hashable | None:
    """The value with strictly more votes than any other, or None (no votes, or a tie)."""
    top = Counter(values).most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


class Pass:
    """Everything counted in one pass over the judgments, item by item."""

    def __init__(self, kind: Kind, config: dict[str, Any]):
        self.kind, self.config = kind, config
        self.questions: list[Question] = kind.questions(config)
        self.measures: dict[str, Measure] = measures_for(self.questions)
        headline = [q for q in self.questions if q.headline]
        self.headline = {q.id for q in headline}
        self.primary = headline[0].id if headline else None
        self.experts: dict[int, ExpertTally] = defaultdict(ExpertTally)
        self.kappas: dict[tuple[int, int], Kappa] = defaultdict(Kappa)
        # battles per question that compares responses: (model a, model b, score of a)
        self.battles: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        self.judges: dict[tuple[str, str], Kappa] = defaultdict(Kappa)  # (judge, question)
        self.judge_experts: dict[tuple[str, int], Kappa] = defaultdict(Kappa)  # (judge, expert), primary question
        self.judgments = 0
        self.items = 0
        self.numeric = {q.id for q in self.questions if q.level != "nominal" and q.per == "response"}

    def add_item(self, rows: list[Any]) -> None:
        kind, config = self.kind, self.config
        first = rows[0]
        ids = [r["id"] for r in first.responses]
        models = {r["id"]: r.get("model") for r in first.responses}
        self.items += 1
        votes_of: list[tuple[int, list[Vote]]] = []
        for row in rows:
            tally = self.experts[row.expert_id]
            tally.judgments += 1
            tally.seconds.append(row.active_seconds)
            tally.flagged += row.flag_bits > 0
            self.judgments += 1
            votes = kind.votes(config, row.answers, ids)
            votes_of.append((row.expert_id, votes))
            if first.gold:
                match = match_gold(kind, config, row.answers, first.gold)
                if match is not None:
                    tally.gold_compared += 1
                    tally.gold_right += bool(match)
            self._position(tally, row)
        self._agreement(votes_of)
        self._battles(votes_of, ids, models)
        judged = judge_answers(first.suggestion, first.meta)
        if judged is not None:
            self._judge(judged, votes_of, ids)

    def _position(self, tally: ExpertTally, row: Any) -> None:
        """Whether the response shown first won (a decided two-response choice only)."""
        if self.kind.choice is None or len(row.display_order or []) != 2:
            return
        choice = self.kind.choice(self.config, row.answers)
        if choice is None or choice.preferred not in row.display_order:
            return
        tally.first_decided += 1
        tally.first_wins += choice.preferred == row.display_order[0]

    def _agreement(self, votes_of: list[tuple[int, list[Vote]]]) -> None:
        by_unit: dict[tuple[str, str], list[tuple[int, Hashable]]] = defaultdict(list)
        per_answer = []
        for n, (expert, votes) in enumerate(votes_of):
            for vote in votes:
                if vote.question in self.measures:
                    by_unit[(vote.question, vote.unit)].append((n, vote.value))
            per_answer.append(expert)
        counted: dict[str, set[int]] = defaultdict(set)
        for (question, _unit), given in by_unit.items():
            if self.measures[question].add_unit([v for _, v in given]):
                counted[question].update(n for n, _ in given)
            if question not in self.headline or len(given) < 2:
                continue
            for n, value in given:  # agreement with the leave-one-out majority
                others = strict_mode(v for m, v in given if m != n)
                if others is not None:
                    tally = self.experts[per_answer[n]]
                    tally.consensus_compared += 1
                    tally.consensus_agree += value == others
            if question == self.primary:
                for (n, a), (m, b) in combinations(given, 2):
                    ea, eb = per_answer[n], per_answer[m]
                    if ea == eb:
                        continue
                    if ea < eb:
                        self.kappas[(ea, eb)].add(a, b)
                    else:
                        self.kappas[(eb, ea)].add(b, a)
        for question, answers in counted.items():
            self.measures[question].items += 1
            self.measures[question].judgments += len(answers)

    def _battles(self, votes_of: list[tuple[int, list[Vote]]], ids: list[str], models: Mapping[str, Any]) -> None:
        """Battles between the item's models: a nominal question answered with a response id or
        a tie (two responses), or a numeric question per response (each two responses compared)."""
        if sum(1 for m in models.values() if m) < 2 or len(set(models.values())) < 2:
            return
        for _expert, votes in votes_of:
            scored: dict[str, dict[str, Any]] = defaultdict(dict)
            for vote in votes:
                question, value = vote.question, vote.value
                if vote.unit == "" and len(ids) == 2 and (value in ids or value == TIE):
                    a, b = ids
                    if not (models[a] and models[b]) or models[a] == models[b]:
                        continue
                    score = 0.5 if value == TIE else 1.0 if value == a else 0.0
                    self.battles[question].append((models[a], models[b], score))
                elif question in self.numeric and vote.unit in models and isinstance(value, int | float):
                    scored[question][vote.unit] = value
            for question, cells in scored.items():
                for a, b in combinations([r for r in ids if r in cells], 2):
                    if not (models[a] and models[b]) or models[a] == models[b]:
                        continue
                    score = 0.5 if cells[a] == cells[b] else 1.0 if cells[a] > cells[b] else 0.0
                    self.battles[question].append((models[a], models[b], score))

    def _judge(
        self, judged: tuple[str, dict[str, Any]], votes_of: list[tuple[int, list[Vote]]], ids: list[str]
    ) -> None:
        """The judge's votes against the human majority of each unit, and against each expert."""
        name, answers = judged
        try:
            judge_votes = {(v.question, v.unit): v.value for v in self.kind.votes(self.config, answers, ids)}
        except (KeyError, TypeError, ValueError, AttributeError):
            return  # a suggestion that is no answer of this kind
        human: dict[tuple[str, str], list[Hashable]] = defaultdict(list)
        for expert, votes in votes_of:
            for vote in votes:
                key = (vote.question, vote.unit)
                if vote.question in self.headline and key in judge_votes:
                    human[key].append(vote.value)
                    if vote.question == self.primary:
                        self.judge_experts[(name, expert)].add(judge_votes[key], vote.value)
        for key, values in human.items():
            majority = strict_mode(values)
            if majority is not None:
                self.judges[(name, key[0])].add(judge_votes[key], majority)


def compute(session: Session, project: Project) -> dict[str, Any]:
    """The whole report of ``project`` as JSON values (see the module doc)."""
    kind = get_kind(project.kind)
    config = project.template.get("config", {})
    tally = Pass(kind, config)
    result = session.execute(queries.judgment_rows(project).execution_options(yield_per=2000))
    for _item, rows in groupby(result, key=itemgetter(0)):
        tally.add_item(list(rows))
    for expert_id, verdict in session.execute(queries.first_reviews(project)):
        expert = tally.experts[expert_id]
        expert.reviewed += 1
        expert.accepted_first += verdict is ReviewVerdict.ACCEPT
    people = {uid: (email, name, pseudonym) for uid, email, name, pseudonym in session.execute(queries.people(project))}
    return assemble(project, tally, people)


def _email(people: Mapping[int, tuple[str, str, str]], user_id: int) -> str:
    return people.get(user_id, (f"user {user_id}", "", ""))[0]


def _rate(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def assemble(project: Project, tally: Pass, people: Mapping[int, tuple[str, str, str]]) -> dict[str, Any]:
    """The report's JSON from the counts of one pass."""
    by_id = {q.id: q for q in tally.questions}
    experts: list[dict[str, Any]] = []
    all_wins = all_decided = 0
    for expert_id, t in tally.experts.items():
        all_wins += t.first_wins
        all_decided += t.first_decided
        parts = scores.parts(t)
        experts.append(
            {
                "user_id": expert_id,
                "email": _email(people, expert_id),
                "name": people.get(expert_id, ("", "", ""))[1],
                "score": scores.total(parts),
                "parts": parts,
                "gold_accuracy": _rate(t.gold_right, t.gold_compared),
                "gold_compared": t.gold_compared,
                "agreement_with_consensus": _rate(t.consensus_agree, t.consensus_compared),
                "consensus_compared": t.consensus_compared,
                "first_pass_acceptance": _rate(t.accepted_first, t.reviewed),
                "reviewed": t.reviewed,
                "flagged_share": _rate(t.flagged, t.judgments),
                "first_shown_win_rate": _rate(t.first_wins, t.first_decided),
                "first_shown_decided": t.first_decided,
                "position_p_value": _p(t.first_wins, t.first_decided),
                "median_seconds": median(t.seconds) if t.seconds else None,
                "judgments": t.judgments,
            }
        )
    experts.sort(key=lambda e: (e["score"] is None, -(e["score"] or 0), e["email"]))
    for rank, expert in enumerate(experts, 1):
        expert["rank"] = rank
    kappa = [
        {
            "a": _email(people, a),
            "b": _email(people, b),
            "question": tally.primary,
            "kappa": k.value(),
            "shared": k.shared,
        }
        for (a, b), k in sorted(tally.kappas.items())
        if k.shared >= MIN_SHARED
    ]
    band = wilson_interval(all_wins, all_decided)
    judge = [
        {
            "judge": name,
            "question": question,
            "label": by_id[question].label if question in by_id else question,
            "kappa": k.value(),
            "units": k.shared,
            "agreement": _rate(sum(n for (a, b), n in k.pairs.items() if a == b), k.shared),
        }
        for (name, question), k in sorted(tally.judges.items())
    ]
    judge_experts = [
        {"judge": name, "email": _email(people, expert_id), "kappa": k.value(), "units": k.shared}
        for (name, expert_id), k in sorted(tally.judge_experts.items())
    ]
    leaderboards = {question: leaderboard(battles) for question, battles in sorted(tally.battles.items())}
    main = tally.primary if tally.primary in leaderboards else next(iter(leaderboards), None)
    return {
        "project": project.slug,
        "kind": project.kind,
        "judgments": tally.judgments,
        "items": tally.items,
        "primary_question": tally.primary,
        "agreement": [tally.measures[q.id].as_json(q) for q in tally.questions],
        "kappa": kappa,
        "experts": experts,
        "position": {
            "first_shown_wins": all_wins,
            "decided": all_decided,
            "first_shown_win_rate": _rate(all_wins, all_decided),
            "p_value": _p(all_wins, all_decided),
            "ci": None if band is None else [round(band[0], 4), round(band[1], 4)],
        },
        "judge": {"by_question": judge, "by_expert": judge_experts},
        "leaderboard": leaderboards.get(main, []) if main else [],
        "leaderboard_question": main,
        "leaderboards": leaderboards,
    }


def _p(k: int, n: int) -> float | None:
    found = binomial_two_sided(k, n)
    return None if found is None else float(f"{found:.4g}")  # small p-values keep their digits
