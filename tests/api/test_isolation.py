"""Workspaces never see each other; write keys can only ingest."""

from __future__ import annotations


def test_another_workspace_gets_404_never_the_data(live):
    live.send("/v1/track", {"event": "Secret", "userId": "vip", "properties": {"x": 1}})
    live.wait_processed()
    mine = live.api("/api/v1/profiles/lookup?type=user_id&value=vip").json()
    other = live.new_workspace("other")
    for path in (
        f"/api/v1/profiles/{mine['id']}",
        f"/api/v1/profiles/{mine['id']}/timeline",
        f"/api/v1/profiles/{mine['id']}/merges",
        "/api/v1/profiles/lookup?type=user_id&value=vip",
    ):
        response = live.api(path, token=other.admin_token)
        assert response.status_code == 404, path
        assert "Secret" not in response.text and "vip" not in response.text.replace(
            "value=vip", ""
        ).replace("'vip'", "")
    assert live.api("/api/v1/stats", token=other.admin_token).json()["events"] == 0
    # the other workspace's events land in its own profiles
    live.send(
        "/v1/track",
        {"event": "Mine", "userId": "vip"},
        write_key=other.source.write_key,
    )
    live.wait_processed()
    theirs = live.api(
        "/api/v1/profiles/lookup?type=user_id&value=vip", token=other.admin_token
    ).json()
    assert theirs["id"] != mine["id"]
    assert theirs["counts"]["events"] == 1


def test_write_key_cannot_read_and_admin_token_cannot_ingest(live):
    assert live.api("/api/v1/stats", token=live.write_key).status_code == 401
    response = live.send(
        "/v1/track", {"event": "x", "userId": "u"}, write_key=live.admin_token
    )
    assert response.status_code == 401
