"""The survey definition: questions, translations, skip logic, and the rules that
check a definition and a set of answers before anything is stored.

A question::

    {"id": "reason", "type": "single", "text": {"en": "…", "he": "…"},
     "options": [{"id": "price", "text": {"en": "Price"}}], "required": false,
     "show_if": {"question": "score", "at_most": 6}}

Types: ``nps`` (0-10), ``rating`` (``min``..``max``, default 1..5, labels
``low_label``/``high_label``), ``single`` and ``multi`` (options), ``text``.
``show_if`` (skip logic) refers to an earlier question and holds one of ``equals``,
``in`` (a list), ``at_most``, ``at_least``: the question is shown — and may be
required — only when the earlier answer matches. Texts are ``{language: text}`` or a
plain string (used for every language).
"""

from __future__ import annotations

import re
from typing import Any, Literal

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.feedback._i18n import translate

Text = dict[str, str] | str
Answer = int | str | list[str] | None
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
MAX_QUESTIONS = 50
MAX_TEXT_ANSWER = 5000


class Option(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    text: Text


class ShowIf(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    question: str
    equals: int | str | None = None
    in_: list[int | str] | None = msgspec.field(default=None, name="in")
    at_most: int | None = None
    at_least: int | None = None


class Question(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    id: str
    type: Literal["nps", "rating", "single", "multi", "text"]
    text: Text
    min: int | None = None
    max: int | None = None
    low_label: Text | None = None
    high_label: Text | None = None
    options: list[Option] = []
    required: bool = False
    show_if: ShowIf | None = None

    @property
    def scale(self) -> tuple[int, int]:
        if self.type == "nps":
            return 0, 10
        return (
            1 if self.min is None else self.min,
            5 if self.max is None else self.max,
        )


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def _check_text(value: Text | None, field: str, required: bool = True) -> None:
    if value is None:
        if required:
            raise _bad(field, "required")
        return
    texts = [value] if isinstance(value, str) else list(value.values())
    if required and not any(t.strip() for t in texts):
        raise _bad(field, "must not be empty")
    if any(len(t) > 2000 for t in texts):
        raise _bad(field, "longer than 2000 characters")


def parse_questions(
    raw: list[dict[str, Any]], field: str = "questions"
) -> list[Question]:
    """Check a question list; errors name the field, e.g. ``questions[2].options``."""
    if len(raw) > MAX_QUESTIONS:
        raise _bad(field, f"at most {MAX_QUESTIONS} questions")
    questions: list[Question] = []
    seen: dict[str, Question] = {}
    for index, item in enumerate(raw):
        where = f"{field}[{index}]"
        try:
            question = msgspec.convert(item, Question)
        except msgspec.ValidationError as exc:
            text = str(exc)
            sub = text.rsplit("`$", 1)[-1].rstrip("`") if "`$" in text else ""
            raise _bad(where + sub, text) from None
        if not _ID.match(question.id):
            raise _bad(f"{where}.id", "letters, digits and _ (start with a letter)")
        if question.id in seen:
            raise _bad(f"{where}.id", f"duplicate question id {question.id!r}")
        _check_text(question.text, f"{where}.text")
        _check_text(question.low_label, f"{where}.low_label", False)
        _check_text(question.high_label, f"{where}.high_label", False)
        if question.type == "rating":
            low, high = question.scale
            if not 0 <= low < high <= 10:
                raise _bad(f"{where}.max", "a rating needs 0 <= min < max <= 10")
        if question.type in ("single", "multi"):
            if not question.options:
                raise _bad(f"{where}.options", "a choice question needs options")
            ids = [o.id for o in question.options]
            if len(set(ids)) != len(ids) or not all(_ID.match(i) for i in ids):
                raise _bad(f"{where}.options", "option ids must be unique ids")
            for n, option in enumerate(question.options):
                _check_text(option.text, f"{where}.options[{n}].text")
        if question.show_if is not None:
            _check_condition(question.show_if, seen, f"{where}.show_if")
        seen[question.id] = question
        questions.append(question)
    return questions


def _check_condition(rule: ShowIf, earlier: dict[str, Question], where: str) -> None:
    if rule.question not in earlier:
        raise _bad(f"{where}.question", "must name an earlier question")
    given = [
        v for v in (rule.equals, rule.in_, rule.at_most, rule.at_least) if v is not None
    ]
    if len(given) != 1:
        raise _bad(where, "give exactly one of equals, in, at_most, at_least")
    target = earlier[rule.question]
    if (rule.at_most is not None or rule.at_least is not None) and target.type not in (
        "nps",
        "rating",
    ):
        raise _bad(where, "at_most/at_least need a score question")


def matches(rule: ShowIf, answer: Answer) -> bool:
    """Whether an earlier ``answer`` satisfies a skip-logic rule."""
    if answer is None:
        return False
    values = answer if isinstance(answer, list) else [answer]
    if rule.equals is not None:
        return rule.equals in values
    if rule.in_ is not None:
        return any(v in rule.in_ for v in values)
    if isinstance(answer, int):
        if rule.at_most is not None:
            return answer <= rule.at_most
        if rule.at_least is not None:
            return answer >= rule.at_least
    return False


def primary_question(questions: list[Question]) -> Question | None:
    """The scored question: ``score`` if present, else the first nps/rating one."""
    for question in questions:
        if question.id == "score" and question.type in ("nps", "rating"):
            return question
    return next((q for q in questions if q.type in ("nps", "rating")), None)


def check_answers(
    questions: list[Question], raw: dict[str, Any], complete: bool
) -> dict[str, Answer]:
    """Validate answers keyed by question id (``score`` also names the scored
    question). Hidden questions' answers are dropped; a complete response needs
    every required, shown question."""
    primary = primary_question(questions)
    answers = dict(raw)
    if primary is not None and primary.id != "score" and "score" in answers:
        answers.setdefault(primary.id, answers.pop("score"))
    known = {q.id for q in questions}
    for key in answers:
        if key not in known:
            raise _bad(f"answers.{key}", "no such question in this survey")
    kept: dict[str, Answer] = {}
    for question in questions:
        value = answers.get(question.id)
        if question.show_if is not None and not matches(
            question.show_if, kept.get(question.show_if.question)
        ):
            continue
        if value is None or value == "" or value == []:
            if complete and question.required:
                raise _bad(f"answers.{question.id}", "required")
            continue
        kept[question.id] = _check_value(question, value, f"answers.{question.id}")
    return kept


def _check_value(question: Question, value: Any, field: str) -> Answer:
    if question.type in ("nps", "rating"):
        low, high = question.scale
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(field, f"must be an integer from {low} to {high}")
        if not low <= value <= high:
            raise _bad(field, f"must be an integer from {low} to {high}")
        return value
    if question.type == "text":
        if not isinstance(value, str):
            raise _bad(field, "must be a string")
        if len(value) > MAX_TEXT_ANSWER:
            raise _bad(field, f"longer than {MAX_TEXT_ANSWER} characters")
        return value.strip()
    options = {o.id for o in question.options}
    if question.type == "single":
        if not isinstance(value, str) or value not in options:
            raise _bad(field, "must be one of " + ", ".join(sorted(options)))
        return value
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v in options for v in value
    ):
        raise _bad(field, "must be a list of " + ", ".join(sorted(options)))
    return list(dict.fromkeys(value))


def render_question(
    question: Question, language: str, default: str, brand: str
) -> dict[str, Any]:
    """One question in one language, as the survey page draws it."""

    def text(value: Text | None) -> str:
        return translate(value, language, default).replace("{brand}", brand)

    out: dict[str, Any] = {
        "id": question.id,
        "type": question.type,
        "text": text(question.text),
        "required": question.required,
    }
    if question.type in ("nps", "rating"):
        out["min"], out["max"] = question.scale
        out["low_label"] = text(question.low_label)
        out["high_label"] = text(question.high_label)
    if question.options:
        out["options"] = [{"id": o.id, "text": text(o.text)} for o in question.options]
    if question.show_if is not None:
        out["show_if"] = msgspec.to_builtins(question.show_if)
    return out
