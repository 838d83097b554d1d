"""Admin-token authentication: every management call is scoped to one workspace."""

from __future__ import annotations

from starlette.requests import Request

from omnicx.errors import WorkspaceError
from omnicx.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


def workspace_of(request: Request) -> str:
    """The workspace of the request's ``Authorization: Bearer <admin token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise WorkspaceError(
            "send the workspace admin token as 'Authorization: Bearer <token>'"
        )
    workspace_id = runtime_of(request).store.state.workspace_for_token(token.strip())
    if workspace_id is None:
        raise WorkspaceError(
            "unknown admin token (write keys can only send events to /v1/*)"
        )
    return workspace_id
