"""Survey definitions: create from a template (NPS, CSAT, CES) or custom questions,
render in a respondent's language, the workspace's brand kit and survey settings.

Workspace configuration keys used here: ``brand`` (``name``, ``logo_url``,
``primary_color``), ``survey_fatigue_days`` (at most one survey per customer per N
days across all surveys and channels; unset or 0 = off) and
``surveys_require_opt_in`` (send only to customers who opted in).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from omnicx.errors import FieldError, NotFoundError, ValidationError
from omnicx.feedback._i18n import (
    SHIPPED,
    base_language,
    direction,
    iso_time,
    translate,
    ui_strings,
)
from omnicx.feedback._survey_model import (
    Question,
    Text,
    parse_questions,
    primary_question,
    render_question,
)
from omnicx.feedback._survey_templates import SCALES, template_questions
from omnicx.storage import Store, now_ms
from omnicx.storage._feedback_state import FeedbackState

if TYPE_CHECKING:
    from omnicx.runtime import Runtime

DEFAULT_COLOR = "#2563eb"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_URL = re.compile(r"^(https?://|/)[^\s\"'<>]{0,500}$")


class SurveyRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    template: Literal["nps", "csat", "ces", "custom"]
    questions: list[dict[str, Any]] | None = None
    languages: list[str] | None = None
    title: Text | None = None


class BrandRequest(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: str | None = None
    logo_url: str | None = None
    primary_color: str | None = None


class SurveySettingsRequest(msgspec.Struct, forbid_unknown_fields=True):
    fatigue_days: int | None = None
    require_opt_in: bool = False


@dataclass(frozen=True)
class Survey:
    id: str
    workspace_id: str
    name: str
    template: str
    languages: list[str]
    questions: list[Question]
    title: Text | None
    store_token: str
    created_at: int

    @property
    def metric(self) -> str:
        if self.template in ("nps", "csat", "ces"):
            return self.template
        primary = primary_question(self.questions)
        return "nps" if primary is not None and primary.type == "nps" else "rating"

    @property
    def scale(self) -> tuple[int, int]:
        if self.template in SCALES:
            return SCALES[self.template]
        primary = primary_question(self.questions)
        return primary.scale if primary is not None else (1, 5)

    @property
    def default_language(self) -> str:
        return self.languages[0]


def feedback_state(store: Store) -> FeedbackState:
    return FeedbackState(store.state)


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def _languages(raw: list[str] | None, template: str) -> list[str]:
    if raw is None:
        return list(SHIPPED) if template != "custom" else ["en"]
    if not raw:
        raise _bad("languages", 'give at least one language, e.g. ["en"]')
    out: list[str] = []
    for index, code in enumerate(raw):
        language = base_language(code)
        if language is None:
            raise _bad(f"languages[{index}]", f"not a language code: {code!r}")
        if language not in out:
            out.append(language)
    return out


def _survey(row: dict[str, Any]) -> Survey:
    definition = json.loads(row["definition"])
    return Survey(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        template=row["template"],
        languages=definition["languages"],
        questions=parse_questions(definition["questions"]),
        title=definition.get("title"),
        store_token=row["store_token"],
        created_at=row["created_at"],
    )


def build_definition(body: SurveyRequest) -> dict[str, Any]:
    """Check a survey request and return the stored definition."""
    name = body.name.strip()
    if not name or len(name) > 200:
        raise _bad("name", "1 to 200 characters")
    if body.template == "custom" and not body.questions:
        raise _bad("questions", "a custom survey needs at least one question")
    raw = template_questions(body.template) + list(body.questions or [])
    questions = parse_questions(raw)
    return {
        "languages": _languages(body.languages, body.template),
        "questions": [msgspec.to_builtins(q) for q in questions],
        "title": body.title,
    }


def create_survey(store: Store, workspace_id: str, body: SurveyRequest) -> Survey:
    definition = build_definition(body)
    at = now_ms()
    row = {
        "id": "sv_" + secrets.token_hex(6),
        "workspace_id": workspace_id,
        "name": body.name.strip(),
        "template": body.template,
        "definition": json.dumps(definition, ensure_ascii=False),
        "store_token": secrets.token_urlsafe(18),
        "created_at": at,
        "updated_at": at,
    }
    feedback_state(store).insert_survey(row)
    return _survey(row)


def update_survey(
    store: Store, workspace_id: str, survey_id: str, body: SurveyRequest
) -> Survey:
    current = get_survey(store, workspace_id, survey_id)
    if body.template != current.template:
        raise _bad("template", "the template of a survey cannot change")
    definition = build_definition(body)
    feedback_state(store).update_survey(
        workspace_id,
        survey_id,
        {
            "name": body.name.strip(),
            "definition": json.dumps(definition, ensure_ascii=False),
            "updated_at": now_ms(),
        },
    )
    return get_survey(store, workspace_id, survey_id)


def get_survey(store: Store, workspace_id: str, survey_id: str) -> Survey:
    """The survey, or ``NotFoundError`` (also for another workspace's survey)."""
    row = feedback_state(store).survey(workspace_id, survey_id)
    if row is None:
        raise NotFoundError(f"no survey {survey_id!r} in this workspace")
    return _survey(row)


def survey_by_id(store: Store, survey_id: str) -> Survey | None:
    row = feedback_state(store).survey_by_id(survey_id)
    return _survey(row) if row else None


def survey_by_store_token(store: Store, token: str) -> Survey | None:
    row = feedback_state(store).survey_by_store_token(token)
    return _survey(row) if row else None


def list_surveys(
    store: Store, workspace_id: str, base_url: str
) -> list[dict[str, Any]]:
    out = []
    for row in feedback_state(store).surveys(workspace_id):
        item = survey_dict(_survey(row), base_url)
        item["responses"] = int(row["responses"])
        out.append(item)
    return out


def survey_dict(survey: Survey, base_url: str) -> dict[str, Any]:
    store_link = f"{base_url}/q/{survey.store_token}"
    return {
        "id": survey.id,
        "name": survey.name,
        "template": survey.template,
        "metric": survey.metric,
        "scale": list(survey.scale),
        "languages": survey.languages,
        "default_language": survey.default_language,
        "title": survey.title,
        "questions": [msgspec.to_builtins(q) for q in survey.questions],
        "created_at": iso_time(survey.created_at),
        "links": {
            "store": store_link,
            "store_qr_png": store_link + "/qr.png",
            "store_qr_svg": store_link + "/qr.svg",
        },
    }


def render_survey(
    survey: Survey | None,
    questions: list[Question],
    language: str,
    brand: dict[str, Any],
    title: Text | None = None,
) -> dict[str, Any]:
    """What the survey page needs to draw the survey in one language. The page
    title is the survey's ``title`` in that language, else a translated default
    (the survey's name is internal and not shown to customers)."""
    default = survey.default_language if survey else language
    brand_name = str(brand.get("name") or "")
    strings = ui_strings(language)
    texts = survey.title if survey and survey.title else title
    shown = translate(texts, language, default) if texts else strings["title"]
    return {
        "id": survey.id if survey else None,
        "title": shown.replace("{brand}", brand_name),
        "language": language,
        "dir": direction(language),
        "questions": [
            render_question(q, language, default, brand_name) for q in questions
        ],
        "strings": strings,
    }


# -- workspace brand kit and survey settings ----------------------------------------


def get_brand(store: Store, workspace_id: str) -> dict[str, Any]:
    workspace = store.state.workspace(workspace_id)
    brand = dict(workspace.config.get("brand") or {})
    return {
        "name": brand.get("name") or workspace.name,
        "logo_url": brand.get("logo_url") or None,
        "primary_color": brand.get("primary_color") or DEFAULT_COLOR,
    }


def set_brand(store: Store, workspace_id: str, body: BrandRequest) -> dict[str, Any]:
    changes = msgspec.to_builtins(body)
    if body.name is not None and not 0 < len(body.name.strip()) <= 200:
        raise _bad("name", "1 to 200 characters")
    if body.primary_color is not None and not _COLOR.match(body.primary_color):
        raise _bad("primary_color", "a hex colour like #1f6feb")
    if body.logo_url is not None and body.logo_url and not _URL.match(body.logo_url):
        raise _bad("logo_url", "an http(s) URL or a path starting with /")
    config = dict(store.state.workspace(workspace_id).config)
    config["brand"] = {**(config.get("brand") or {}), **changes}
    store.state.set_workspace_config(workspace_id, config)
    return get_brand(store, workspace_id)


def get_survey_settings(store: Store, workspace_id: str) -> dict[str, Any]:
    config = store.state.workspace(workspace_id).config
    days = config.get("survey_fatigue_days")
    return {
        "fatigue_days": int(days) if days else None,
        "require_opt_in": bool(config.get("surveys_require_opt_in", False)),
    }


def set_survey_settings(
    store: Store, workspace_id: str, body: SurveySettingsRequest
) -> dict[str, Any]:
    if body.fatigue_days is not None and not 0 <= body.fatigue_days <= 3650:
        raise _bad("fatigue_days", "0 (off) to 3650 days")
    config = dict(store.state.workspace(workspace_id).config)
    config["survey_fatigue_days"] = body.fatigue_days or None
    config["surveys_require_opt_in"] = body.require_opt_in
    store.state.set_workspace_config(workspace_id, config)
    return get_survey_settings(store, workspace_id)


def seed_demo(runtime: Runtime, workspace_id: str, **options: Any) -> dict[str, Any]:
    """Demo surveys (NPS, CSAT, CES) with responses in several languages for the
    workspace's customers; see ``_survey_demo.seed_demo`` for the options."""
    from omnicx.feedback._survey_demo import seed_demo as seed

    return seed(runtime, workspace_id, **options)
