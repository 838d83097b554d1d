"""Customer-facing survey pages: the hosted survey ``/s/<token>``, its QR codes, the
store's anonymous link ``/q/<token>`` (a scan makes an invitation), the builder's
preview ``/s/preview`` and the embeddable widget ``/js/survey-widget.js``.

No admin token here: the invitation token is the respondent's credential. Every
customer-visible text reaches the page as JSON and is drawn with ``textContent``.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from omnicx.errors import OmnicxError
from omnicx.feedback import _survey_send as send
from omnicx.feedback import responses, surveys
from omnicx.feedback._i18n import direction, pick_language, ui_strings
from omnicx.feedback._survey_model import parse_questions

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOGO = re.compile(r"^(https?://|/)[^\s\"'<>]{0,500}$")
_NO_STORE = {"cache-control": "no-store", "x-robots-tag": "noindex"}


def _runtime(request: Request) -> Any:
    return request.app.state.runtime


def _on_color(color: str) -> str:
    """Black or white text, whichever reads better on ``color``."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    return "#000000" if luminance > 0.35 else "#ffffff"


def _page(
    data: dict[str, Any], brand: dict[str, Any], status: int = 200
) -> HTMLResponse:
    survey = data.get("survey") or {}
    language = survey.get("language") or data.get("language") or "en"
    color = str(brand.get("primary_color") or surveys.DEFAULT_COLOR)
    color = color if _COLOR.match(color) else surveys.DEFAULT_COLOR
    logo = str(brand.get("logo_url") or "")
    logo_html = (
        f'<img class="logo" src="{html.escape(logo)}" alt="" '
        'referrerpolicy="no-referrer">'
        if logo and _LOGO.match(logo)
        else ""
    )
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    title = survey.get("title") or data.get("message") or ""
    replacements = {
        "lang": html.escape(language),
        "dir": direction(language),
        "title": html.escape(title),
        "brand_name": html.escape(str(brand.get("name") or "")),
        "logo": logo_html,
        "color": color,
        "on_color": _on_color(color),
        "state": html.escape(str(data.get("state"))),
        "data": payload,
    }
    page = (TEMPLATES / "survey.html").read_text()
    for key, value in replacements.items():
        page = page.replace("{{ " + key + " }}", value)
    return HTMLResponse(page, status_code=status, headers=_NO_STORE)


def _not_found(request: Request) -> HTMLResponse:
    language = pick_language(
        [request.query_params.get("lang")], ["en", "he", "ar", "tr", "fa", "es"]
    )
    strings = ui_strings(language)
    data = {
        "state": "invalid",
        "language": language,
        "message": strings["not_found"],
        "strings": strings,
    }
    return _page(data, {}, 404)


def _load(runtime: Any, token: str, lang: str | None) -> dict[str, Any] | None:
    state = responses.invitation_state(runtime.store, token)
    if state is None:
        return None
    invitation = state["invitation"]
    survey = surveys.survey_by_id(runtime.store, invitation["survey_id"])
    if survey is None:
        return None
    brand = surveys.get_brand(runtime.store, survey.workspace_id)
    language = pick_language([lang, invitation["language"]], survey.languages)
    return {
        "brand": brand,
        "data": {
            "state": "answered" if state["complete"] else "open",
            "invitation": token,
            "preview": False,
            "answers": state["answers"],
            "survey": surveys.render_survey(survey, survey.questions, language, brand),
        },
    }


async def survey_page(request: Request) -> HTMLResponse:
    token = request.path_params["token"]
    loaded = await run_in_threadpool(
        _load, _runtime(request), token, request.query_params.get("lang")
    )
    if loaded is None:
        return _not_found(request)
    return _page(loaded["data"], loaded["brand"])


async def preview_page(request: Request) -> HTMLResponse:
    """The builder's live preview: ``?def=<base64url JSON of a survey request>``
    (or ``?template=nps``), ``lang``, and brand ``color``/``logo``/``brand``."""
    query = request.query_params
    try:
        raw: dict[str, Any] = {
            "name": "Preview",
            "template": query.get("template", "nps"),
        }
        if query.get("def"):
            text = query["def"]
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            given = json.loads(decoded)
            if not isinstance(given, dict):
                raise ValueError("def must be a JSON object")
            raw = {**raw, **given}
        body = msgspec.convert(raw, surveys.SurveyRequest)
        definition = surveys.build_definition(body)
    except (ValueError, msgspec.ValidationError, OmnicxError) as exc:
        data = {
            "state": "invalid",
            "language": "en",
            "message": str(exc),
            "strings": ui_strings("en"),
        }
        return _page(data, {}, 400)
    questions = parse_questions(definition["questions"])
    language = pick_language([query.get("lang")], definition["languages"])
    brand = {
        "name": query.get("brand") or "",
        "primary_color": query.get("color") or surveys.DEFAULT_COLOR,
        "logo_url": query.get("logo") or "",
    }
    rendered = surveys.render_survey(None, questions, language, brand, body.title)
    data = {
        "state": "open",
        "invitation": None,
        "preview": True,
        "answers": {},
        "survey": rendered,
    }
    return _page(data, brand)


def _qr(url: str, kind: str) -> Response:
    from omnicx.channels import qr_png, qr_svg

    if kind not in ("png", "svg"):
        return Response("not found", status_code=404)
    headers = {"cache-control": "private, max-age=86400"}
    if kind == "png":
        return Response(qr_png(url), media_type="image/png", headers=headers)
    return Response(qr_svg(url), media_type="image/svg+xml", headers=headers)


def _base(request: Request) -> str:
    return send.public_base(_runtime(request).settings, str(request.base_url))


async def invitation_qr(request: Request) -> Response:
    token = request.path_params["token"]
    found = await run_in_threadpool(
        responses.invitation_state, _runtime(request).store, token
    )
    if found is None:
        return _not_found(request)
    return _qr(f"{_base(request)}/s/{token}", request.path_params["kind"])


async def store_qr(request: Request) -> Response:
    token = request.path_params["token"]
    survey = await run_in_threadpool(
        surveys.survey_by_store_token, _runtime(request).store, token
    )
    if survey is None:
        return _not_found(request)
    return _qr(f"{_base(request)}/q/{token}", request.path_params["kind"])


async def store_link(request: Request) -> Response:
    """A scan of the store's QR code: a fresh anonymous invitation, then its page."""
    runtime = _runtime(request)
    query = request.query_params
    try:
        row = await run_in_threadpool(
            send.store_link_invitation,
            runtime.store,
            runtime.settings,
            request.path_params["token"],
            query.get("channel"),
            query.get("touchpoint"),
            query.get("lang"),
        )
    except OmnicxError:
        return _not_found(request)
    target = f"/s/{row['token']}"
    if query.get("lang"):
        target += "?lang=" + re.sub(r"[^A-Za-z_-]", "", query["lang"])[:10]
    return RedirectResponse(target, status_code=303, headers=_NO_STORE)


async def widget_js(_request: Request) -> Response:
    return FileResponse(
        STATIC / "survey-widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={
            "access-control-allow-origin": "*",
            "cache-control": "public, max-age=3600",
        },
    )


ROUTES = [
    Route("/s/preview", preview_page),
    Route("/s/{token}", survey_page),
    Route("/s/{token}/qr.{kind:str}", invitation_qr),
    Route("/q/{token}", store_link),
    Route("/q/{token}/qr.{kind:str}", store_qr),
    Route("/js/survey-widget.js", widget_js),
]
