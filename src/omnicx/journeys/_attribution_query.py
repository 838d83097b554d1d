"""The attribution query: a typed object validated by named rules before any SQL.

    {"conversion": "Order Completed", "value_property": "revenue", "lookback": "30d",
     "models": ["linear", "markov"], "half_life": "7d", "order": 1,
     "shapley_function": "conversions", "no_touch": "unattributed",
     "from": ..., "to": ..., "channels": [...], "traits": {...}}

Every field is optional (defaults as above; ``models`` defaults to all of ``MODELS``;
``value_property`` null or empty: conversions carry no value).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from omnicx.errors import FieldError, ValidationError
from omnicx.journeys._query import Scope, convert, parse_duration, scope_from

MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "position_based",
    "time_decay",
    "markov",
    "shapley",
)
#: Characteristic functions of the Shapley game (see ``_attribution_shapley``).
SHAPLEY_FUNCTIONS = ("conversions", "conversion_rate")
#: What a conversion with no touch in its lookback counts as.
NO_TOUCH_POLICIES = ("unattributed", "conversion_channel")
MAX_ORDER = 4


class RawAttributionQuery(msgspec.Struct, forbid_unknown_fields=True):
    """The body as sent: types checked, values not yet."""

    conversion: str = "Order Completed"
    value_property: str | None = "revenue"
    lookback: str | int | float = "30d"
    models: list[str] | str | None = None
    half_life: str | int | float = "7d"
    order: int | str = 1
    shapley_function: str = "conversions"
    no_touch: str = "unattributed"
    # the scope, parsed by ``scope_from``
    from_: str | int | None = msgspec.field(default=None, name="from")
    to: str | int | None = None
    channels: list[str] | str | None = None
    channel: list[str] | str | None = None
    traits: dict[str, Any] | None = None


class AttributionQuery(msgspec.Struct, frozen=True):
    """A valid attribution query."""

    scope: Scope
    conversion: str
    value_property: str | None
    lookback_s: int
    models: tuple[str, ...]
    half_life_s: int
    order: int
    shapley_function: str
    no_touch: str


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError(f"{field}: {message}", [FieldError(field, message)])


def conversion_is_named(raw: RawAttributionQuery) -> None:
    if not raw.conversion.strip():
        raise _fail("conversion", "name the conversion event, e.g. Order Completed")


def models_are_known(raw: RawAttributionQuery) -> None:
    models = raw.models
    if isinstance(models, str):
        models = [m for m in models.split(",") if m.strip()]
    if models is None:
        return
    if not models:
        raise _fail("models", f"pick at least one of {', '.join(MODELS)}")
    for index, model in enumerate(models):
        if model.strip() not in MODELS:
            raise _fail(
                f"models[{index}]",
                f"unknown model {model!r}; choose from {', '.join(MODELS)}",
            )


def order_in_range(raw: RawAttributionQuery) -> None:
    order = raw.order
    text = str(order).strip()
    if isinstance(order, bool) or not (text.isascii() and text.isdigit()):
        raise _fail("order", f"must be an integer from 1 to {MAX_ORDER}; got {order!r}")
    if not 1 <= int(text) <= MAX_ORDER:
        raise _fail("order", f"must be an integer from 1 to {MAX_ORDER}; got {order!r}")


def shapley_function_is_known(raw: RawAttributionQuery) -> None:
    if raw.shapley_function not in SHAPLEY_FUNCTIONS:
        choices = " or ".join(SHAPLEY_FUNCTIONS)
        raise _fail(
            "shapley_function", f"unknown {raw.shapley_function!r}; choose {choices}"
        )


def no_touch_is_known(raw: RawAttributionQuery) -> None:
    if raw.no_touch not in NO_TOUCH_POLICIES:
        raise _fail(
            "no_touch",
            f"unknown {raw.no_touch!r}; choose {' or '.join(NO_TOUCH_POLICIES)}",
        )


#: Checked in order; each raises a ValidationError naming its field.
RULES: tuple[Callable[[RawAttributionQuery], None], ...] = (
    conversion_is_named,
    models_are_known,
    order_in_range,
    shapley_function_is_known,
    no_touch_is_known,
)


def fields_are_known(raw: dict[str, Any]) -> None:
    known = {f.encode_name for f in msgspec.structs.fields(RawAttributionQuery)}
    for key in raw:
        if key not in known:
            raise _fail(key, f"unknown field; known: {', '.join(sorted(known))}")


def parse_attribution(raw: dict[str, Any]) -> AttributionQuery:
    """Validate a raw body (or query string) into an ``AttributionQuery``."""
    fields_are_known(raw)
    body = convert(raw, RawAttributionQuery)
    for rule in RULES:
        rule(body)
    scope = scope_from(raw)
    models = body.models
    if isinstance(models, str):
        models = models.split(",")
    chosen = (
        MODELS if models is None else tuple(dict.fromkeys(m.strip() for m in models))
    )
    value_property = (body.value_property or "").strip() or None
    return AttributionQuery(
        scope=scope,
        conversion=body.conversion.strip(),
        value_property=value_property,
        lookback_s=parse_duration(body.lookback, "lookback"),
        models=chosen,
        half_life_s=parse_duration(body.half_life, "half_life"),
        order=int(str(body.order).strip()),
        shapley_function=body.shapley_function,
        no_touch=body.no_touch,
    )
