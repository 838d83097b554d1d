"""Alert rules as stored objects (create, list, read, update, delete) and their
firings with each delivery's status."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from omnicx.errors import NotFoundError
from omnicx.feedback._alert_actions import iso
from omnicx.feedback._alert_rules import (
    AlertRulePatch,
    AlertRuleRequest,
    decode_actions,
    decode_when,
    rule_kind,
    to_builtins,
    validate_rule,
)

if TYPE_CHECKING:
    from omnicx.feedback.alerts import ClosedLoop


def _public_rule(rule: dict, stats: tuple[int, int] | None) -> dict[str, Any]:
    out = {
        "id": rule["id"],
        "name": rule["name"],
        "kind": rule["kind"],
        "when": rule["when"],
        "actions": rule["actions"],
        "enabled": bool(rule["enabled"]),
        "sla_hours": rule["sla_hours"],
        "created_at": iso(rule["created_at"]),
        "updated_at": iso(rule["updated_at"]),
        "firings": stats[0] if stats else 0,
        "last_fired_at": iso(stats[1]) if stats else None,
    }
    if rule["kind"] == "metric":
        out["metric_state"] = rule["metric_state"]
    return out


def create_rule(
    loop: ClosedLoop, workspace_id: str, request: AlertRuleRequest
) -> dict[str, Any]:
    """Store a validated rule; the answer carries the webhook signing ``secret``."""
    validate_rule(request)
    now = loop.now_ms()
    secret = request.secret or "whsec_" + secrets.token_urlsafe(24)
    row = {
        "id": "al_" + secrets.token_hex(6),
        "workspace_id": workspace_id,
        "name": request.name.strip(),
        "kind": rule_kind(request.when),
        "when": to_builtins(request.when),
        "actions": to_builtins(request.actions),
        "secret": secret,
        "sla_hours": request.sla_hours,
        "enabled": request.enabled,
        "created_at": now,
        "updated_at": now,
    }
    loop.state.insert_rule(row)
    loop.invalidate(workspace_id)
    rule = get_rule(loop, workspace_id, row["id"])
    return {
        **rule,
        "secret": secret,
        "signature": "X-OmniCX-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>",
    }


def list_rules(loop: ClosedLoop, workspace_id: str) -> list[dict[str, Any]]:
    stats = loop.state.firing_stats(workspace_id)
    return [_public_rule(r, stats.get(r["id"])) for r in loop.state.rules(workspace_id)]


def _stored_rule(loop: ClosedLoop, workspace_id: str, rule_id: str) -> dict[str, Any]:
    rule = loop.state.rule(workspace_id, rule_id)
    if rule is None:
        raise NotFoundError(f"no alert rule {rule_id!r} in this workspace")
    return rule


def get_rule(loop: ClosedLoop, workspace_id: str, rule_id: str) -> dict[str, Any]:
    rule = _stored_rule(loop, workspace_id, rule_id)
    return _public_rule(rule, loop.state.firing_stats(workspace_id).get(rule_id))


def update_rule(
    loop: ClosedLoop, workspace_id: str, rule_id: str, patch: AlertRulePatch
) -> dict[str, Any]:
    rule = _stored_rule(loop, workspace_id, rule_id)
    merged = AlertRuleRequest(
        name=rule["name"] if patch.name is None else patch.name,
        when=decode_when(rule["when"]) if patch.when is None else patch.when,
        actions=(
            decode_actions(rule["actions"]) if patch.actions is None else patch.actions
        ),
        enabled=bool(rule["enabled"]) if patch.enabled is None else patch.enabled,
        sla_hours=rule["sla_hours"] if patch.sla_hours is None else patch.sla_hours,
        secret=rule["secret"],
    )
    validate_rule(merged)
    values: dict[str, Any] = {
        "name": merged.name.strip(),
        "when": to_builtins(merged.when),
        "kind": rule_kind(merged.when),
        "actions": to_builtins(merged.actions),
        "enabled": merged.enabled,
        "sla_hours": merged.sla_hours,
        "updated_at": loop.now_ms(),
    }
    if patch.when is not None:
        values["metric_state"] = None
    if patch.rotate_secret:
        values["secret"] = "whsec_" + secrets.token_urlsafe(24)
    loop.state.update_rule(workspace_id, rule_id, values)
    loop.invalidate(workspace_id)
    found = get_rule(loop, workspace_id, rule_id)
    return {**found, "secret": values["secret"]} if patch.rotate_secret else found


def delete_rule(loop: ClosedLoop, workspace_id: str, rule_id: str) -> None:
    _stored_rule(loop, workspace_id, rule_id)
    now = loop.now_ms()
    loop.state.update_rule(
        workspace_id, rule_id, {"deleted_at": now, "enabled": False, "updated_at": now}
    )
    loop.invalidate(workspace_id)


def _public_delivery(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": d["id"],
        "type": d["type"],
        "target": d["target"],
        "status": d["status"],
        "attempts": d["attempts"],
        "last_status_code": d["last_status_code"],
        "last_error": d["last_error"],
        "next_attempt_at": iso(d["next_attempt_at"]),
        "delivered_at": iso(d["delivered_at"]),
    }


def list_firings(
    loop: ClosedLoop,
    workspace_id: str,
    rule_id: str | None,
    limit: int,
    before_id: int | None = None,
) -> dict[str, Any]:
    """Newest first, with each delivery's status and attempts."""
    if rule_id is not None:
        _stored_rule(loop, workspace_id, rule_id)
    names = {r["id"]: r["name"] for r in loop.state.rules(workspace_id)}
    found = loop.state.firings(workspace_id, rule_id, limit, before_id)
    return {
        "firings": [
            {
                "id": f["id"],
                "rule_id": f["rule_id"],
                "rule_name": names.get(f["rule_id"]),
                "profile_id": None if f["profile_id"] is None else str(f["profile_id"]),
                "message_id": f["message_id"],
                "event": f["event"],
                "case_id": f["case_id"],
                "fired_at": iso(f["fired_at"]),
                "deliveries": [_public_delivery(d) for d in f["deliveries"]],
            }
            for f in found
        ],
        "next_before": found[-1]["id"] if len(found) == limit else None,
    }
