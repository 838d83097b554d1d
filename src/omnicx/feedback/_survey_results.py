"""Results of one survey: the overall score, groups (by channel, touchpoint, journey
stage, a segment trait, or day/week/month), the omnichannel lens, and distribution
per channel. Scores are unrounded; see ``scoring`` for every definition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from omnicx.errors import FieldError, ValidationError
from omnicx.feedback import scoring
from omnicx.feedback.surveys import feedback_state, get_survey
from omnicx.storage import Store

GROUP_BY = (
    "channel",
    "invitation_channel",
    "touchpoint",
    "stage",
    "segment",
    "language",
    "day",
    "week",
    "month",
)
NONE = "(none)"


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def parse_time(raw: str | None, field: str) -> int | None:
    """An ISO date or date-time (UTC unless it has an offset) → ms."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            field, "an ISO date like 2026-08-01 or 2026-08-01T09:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def survey_results(
    store: Store,
    workspace_id: str,
    survey_id: str,
    group_by: str | None = None,
    segment: str | None = None,
    since: str | None = None,
    until: str | None = None,
    include_partial: bool = True,
) -> dict[str, Any]:
    """``{"responses", "score", "ci95", …metric fields, "groups", "omnichannel",
    "distribution", "partial"}``; a response counts when it has a score (partial
    ones included unless ``include_partial`` is false)."""
    survey = get_survey(store, workspace_id, survey_id)
    if group_by is not None and group_by not in GROUP_BY:
        raise _bad("group_by", "one of " + ", ".join(GROUP_BY))
    if group_by == "segment" and not (segment and segment.strip()):
        raise _bad("segment", "group_by=segment needs segment=<trait key>, e.g. tier")
    state = feedback_state(store)
    rows = state.response_rows(
        workspace_id,
        survey.id,
        parse_time(since, "from"),
        parse_time(until, "to"),
    )
    partial = sum(1 for r in rows if not r["complete"])
    if not include_partial:
        rows = [r for r in rows if r["complete"]]
    metric, scale = survey.metric, survey.scale
    overall = scoring.summarize(
        metric, [int(r["score"]) for r in rows if r["score"] is not None], scale
    )
    result: dict[str, Any] = {
        "survey_id": survey.id,
        "template": survey.template,
        "scale": list(scale),
        **overall,
        "answered": len(rows),
        "partial": partial,
        "group_by": group_by,
        "groups": {},
    }
    if group_by is not None:
        result["groups"] = scoring.grouped(
            metric, scale, rows, _key(store, workspace_id, group_by, segment, rows)
        )
    result["omnichannel"] = scoring.omnichannel(metric, scale, rows)
    result["distribution_by_channel"] = _distribution(state, workspace_id, survey.id)
    return result


def _key(
    store: Store,
    workspace_id: str,
    group_by: str,
    segment: str | None,
    rows: list[dict[str, Any]],
) -> Any:
    if group_by in ("day", "week", "month"):
        return lambda row: scoring.period_key(int(row["created_at"]), group_by)
    if group_by == "segment":
        assert segment is not None
        profiles = sorted(
            {r["profile_id"] for r in rows if r["profile_id"] is not None}
        )
        values = feedback_state(store).trait_of_profiles(
            workspace_id, profiles, segment.strip()
        )

        def segment_of(row: dict[str, Any]) -> str:
            value = values.get(row["profile_id"])
            if value is None:
                return NONE
            return str(value).lower() if isinstance(value, bool) else str(value)

        return segment_of
    return lambda row: row.get(group_by) or NONE


def _distribution(state: Any, workspace_id: str, survey_id: str) -> dict[str, Any]:
    """Per invitation channel: invitations by status, answered, response rate."""
    out: dict[str, dict[str, Any]] = {}
    for row in state.invitation_stats(workspace_id, survey_id):
        entry = out.setdefault(
            row["channel"], {"invitations": 0, "answered": 0, "statuses": {}}
        )
        entry["invitations"] += int(row["n"])
        entry["answered"] += int(row["answered"])
        entry["statuses"][row["status"]] = int(row["n"])
    for entry in out.values():
        reached = sum(
            n for s, n in entry["statuses"].items() if s in ("sent", "no_connector")
        )
        entry["response_rate"] = entry["answered"] / reached if reached else None
    return dict(sorted(out.items()))
