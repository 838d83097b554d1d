"""Alert rules: the typed request, its named validation rules, and event matching.

Two kinds of rule:

- **event** rules look at each processed event (after each micro-batch)::

      {"survey": "srv_1", "score_at_most": 6}                 # any detractor of srv_1
      {"template": "csat", "score_at_most": 2,
       "profile_traits": {"vip": true}}                       # CSAT <= 2 on a VIP
      {"event": "Feedback Received", "sentiment": "negative",
       "topic": "delivery"}                                   # negative, about delivery

  ``survey`` matches ``properties.survey_id`` or ``survey_name``; ``score_at_most`` /
  ``score_at_least`` compare ``properties.score``; ``sentiment`` is
  ``properties.sentiment`` (a label, or ``{"label": …}``); ``topic`` matches an entry of
  ``properties.topics`` (strings or ``{"topic"|"name"|"label": …}``) or a mention in
  ``text``/``comment`` (case-insensitive); ``channel`` is the event's channel;
  ``profile_traits`` must all equal the profile's traits. Without ``event``, score and
  survey conditions look at ``Survey Answered``, sentiment/topic conditions at
  ``Survey Answered`` and ``Feedback Received``.

- **metric** rules are checked periodically::

      {"metric": "nps", "channel": "sms", "drop_points": 20, "window": "7d"}

  fire when the metric over the last ``window`` is at least ``drop_points`` below the
  window before it (each window needs ``min_responses``, default 5). A firing rule does
  not fire again until a check finds the drop gone (recovered).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from omnicx.errors import FieldError, ValidationError

SURVEY_EVENT = "Survey Answered"
FEEDBACK_EVENT = "Feedback Received"
MAX_ACTIONS = 10
DEFAULT_MIN_RESPONSES = 5
_WINDOW = re.compile(r"^([1-9][0-9]{0,4})([mhdw])$")
_UNIT_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
MAX_WINDOW_MS = 366 * 86_400_000
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class AlertWhen(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    survey: str | None = None
    template: Literal["nps", "csat", "ces", "custom"] | None = None
    score_at_most: float | None = None
    score_at_least: float | None = None
    event: str | None = None
    sentiment: Literal["positive", "neutral", "negative"] | None = None
    topic: str | None = None
    channel: str | None = None
    profile_traits: dict[str, Any] | None = None
    metric: Literal["nps", "csat", "ces"] | None = None
    drop_points: float | None = None
    window: str | None = None
    min_responses: int | None = None


class AlertAction(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    type: Literal["webhook", "email", "open_case"]
    url: str | None = None  # webhook
    to: str | None = None  # email
    subject: str | None = None  # email
    sla_hours: float | None = None  # open_case
    owner: str | None = None  # open_case: assign at once


class AlertRuleRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /api/v1/alerts``."""

    name: str
    when: AlertWhen
    actions: list[AlertAction]
    enabled: bool = True
    sla_hours: float | None = None
    secret: str | None = None


class AlertRulePatch(msgspec.Struct, forbid_unknown_fields=True):
    """``PATCH /api/v1/alerts/{id}``: only the fields sent change."""

    name: str | None = None
    enabled: bool | None = None
    when: AlertWhen | None = None
    actions: list[AlertAction] | None = None
    sla_hours: float | None = None
    rotate_secret: bool = False  # the answer carries the new signing secret


_EVENT_ONLY = (
    "survey",
    "template",
    "score_at_most",
    "score_at_least",
    "event",
    "sentiment",
    "topic",
    "profile_traits",
)
_METRIC_ONLY = ("drop_points", "window", "min_responses")


def window_ms(text: str) -> int:
    """``"7d"`` → milliseconds (units m, h, d, w)."""
    found = _WINDOW.match(text.strip())
    if not found:
        raise ValueError(text)
    return int(found.group(1)) * _UNIT_MS[found.group(2)]


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def rule_kind(when: AlertWhen) -> str:
    return "metric" if when.metric is not None else "event"


def when_errors(when: AlertWhen, prefix: str = "when") -> list[FieldError]:
    errors: list[FieldError] = []

    def err(name: str, message: str) -> None:
        errors.append(FieldError(f"{prefix}.{name}", message))

    for name in ("score_at_most", "score_at_least", "drop_points"):
        if not _finite(getattr(when, name)):
            err(name, "must be a finite number")
    for name in ("survey", "event", "topic", "channel"):
        value = getattr(when, name)
        if value is not None and not value.strip():
            err(name, "must not be empty (leave it out to match any)")
    if when.metric is not None:
        for name in _EVENT_ONLY:
            if getattr(when, name) is not None:
                err(name, f"not used by a metric rule ({when.metric} drop)")
        if when.drop_points is None or when.drop_points <= 0:
            err("drop_points", "required for a metric rule: a number above 0")
        if when.window is None:
            err("window", "required for a metric rule, e.g. '7d' (m, h, d or w)")
        else:
            try:
                if window_ms(when.window) > MAX_WINDOW_MS:
                    err("window", "at most 366 days")
            except ValueError:
                err("window", "a number and a unit m, h, d or w, e.g. '7d'")
        if when.min_responses is not None and not 1 <= when.min_responses <= 100_000:
            err("min_responses", "must be from 1 to 100000")
        return errors
    for name in _METRIC_ONLY:
        if getattr(when, name) is not None:
            err(name, 'only used with \'metric\' (e.g. "metric": "nps")')
    if not any(getattr(when, name) is not None for name in _EVENT_ONLY[:-1]):
        errors.append(
            FieldError(
                prefix,
                "give at least one of survey, template, score_at_most, "
                "score_at_least, event, sentiment, topic",
            )
        )
    return errors


def action_errors(
    actions: list[AlertAction], kind: str, prefix: str = "actions"
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not 1 <= len(actions) <= MAX_ACTIONS:
        errors.append(FieldError(prefix, f"give 1 to {MAX_ACTIONS} actions"))
    for index, action in enumerate(actions):
        at = f"{prefix}[{index}]"
        if action.type == "webhook" and not _URL.match(action.url or ""):
            errors.append(FieldError(f"{at}.url", "an http:// or https:// URL"))
        if action.type == "email" and not _EMAIL.match((action.to or "").strip()):
            errors.append(FieldError(f"{at}.to", "an email address"))
        if action.type == "open_case" and kind == "metric":
            errors.append(
                FieldError(f"{at}.type", "a metric rule has no customer to open a case")
            )
        if action.sla_hours is not None and not 0 < action.sla_hours <= 8760:
            errors.append(FieldError(f"{at}.sla_hours", "hours from >0 to 8760"))
    return errors


def validate_rule(request: AlertRuleRequest) -> None:
    """Raise a ``ValidationError`` naming every invalid field."""
    errors: list[FieldError] = []
    if not request.name.strip() or len(request.name) > 200:
        errors.append(FieldError("name", "1 to 200 characters"))
    errors += when_errors(request.when)
    errors += action_errors(request.actions, rule_kind(request.when))
    if request.sla_hours is not None and not 0 < request.sla_hours <= 8760:
        errors.append(FieldError("sla_hours", "hours from >0 to 8760"))
    if request.secret is not None and not 16 <= len(request.secret) <= 100:
        errors.append(FieldError("secret", "16 to 100 characters"))
    if errors:
        raise ValidationError("invalid alert rule: " + errors[0].message, errors)


# -- matching ----------------------------------------------------------------------


def _score(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _label(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("label")
    return value.strip().lower() if isinstance(value, str) else None


def _topics(value: Any) -> set[str]:
    found: set[str] = set()
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping):
            item = item.get("topic") or item.get("name") or item.get("label")
        if isinstance(item, str):
            found.add(item.strip().casefold())
    return found


@dataclass(frozen=True)
class EventMatcher:
    """One event rule, compiled for the listener."""

    rule_id: str
    when: AlertWhen

    @property
    def event_names(self) -> frozenset[str]:
        """The event names it can match."""
        w = self.when
        if w.event is not None:
            return frozenset({w.event})
        if (
            w.survey is not None
            or w.template is not None
            or w.score_at_most is not None
            or w.score_at_least is not None
        ):
            return frozenset({SURVEY_EVENT})
        return frozenset({SURVEY_EVENT, FEEDBACK_EVENT})

    def matches(
        self,
        name: str,
        channel: str,
        props: Mapping[str, Any],
        traits: Callable[[], Mapping[str, Any]],
    ) -> bool:
        """Does the event match? ``traits()`` is only called when it matters."""
        w = self.when
        if name not in self.event_names:
            return False
        if props.get("partial") is True:
            return False  # a partial answer is not a response yet; the complete one is
        if w.channel is not None and channel != w.channel:
            return False
        if w.survey is not None and w.survey not in (
            props.get("survey_id"),
            props.get("survey_name"),
        ):
            return False
        if w.template is not None and props.get("template") != w.template:
            return False
        if w.score_at_most is not None or w.score_at_least is not None:
            score = _score(props.get("score"))
            if score is None:
                return False
            if w.score_at_most is not None and score > w.score_at_most:
                return False
            if w.score_at_least is not None and score < w.score_at_least:
                return False
        if w.sentiment is not None and _label(props.get("sentiment")) != w.sentiment:
            return False
        if w.topic is not None and not self._mentions(props, w.topic):
            return False
        if w.profile_traits:
            have = traits()
            return all(have.get(k) == v for k, v in w.profile_traits.items())
        return True

    @staticmethod
    def _mentions(props: Mapping[str, Any], topic: str) -> bool:
        wanted = topic.strip().casefold()
        if wanted in _topics(props.get("topics")):
            return True
        for key in ("text", "comment"):
            text = props.get(key)
            if isinstance(text, str) and wanted in text.casefold():
                return True
        return False


def decode_when(raw: Mapping[str, Any]) -> AlertWhen:
    return msgspec.convert(dict(raw), AlertWhen)


def decode_actions(raw: list[Any]) -> list[AlertAction]:
    return msgspec.convert(raw, list[AlertAction])


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)
