"""What connecting an organisation changes in storage: one connected organisation per workspace, on the new sign-in."""

from __future__ import annotations

from datetime import datetime

from bot.connection.tenants import Tenant
from storage.models import ConnectionState, XeroConnection, XeroTokenSet
from storage.uow import UnitOfWork


def link_tenant(
    work: UnitOfWork, workspace_id: int, user_id: str, token_set_id: int, tenant: Tenant, now: datetime
) -> tuple[XeroConnection, bool, XeroTokenSet | None]:
    """Connect `tenant` on `token_set_id`, disconnecting any other organisation of the workspace.

    Returns the connection, whether it was connected before (a reconnect), and the sign-in it replaced when no
    connection uses that one any more (the caller wipes its tokens)."""
    token_set = work.connections.token_set(token_set_id)
    assert token_set is not None
    token_set.pending_tenants = None
    connection = work.connections.by_tenant(workspace_id, tenant.tenant_id)
    reconnected = connection is not None
    if connection is None:
        connection = work.connections.add(
            XeroConnection(
                workspace_id=workspace_id,
                tenant_id=tenant.tenant_id,
                tenant_name=tenant.tenant_name,
                connected_by_user_id=user_id,
            )
        )
    replaced = connection.token_set
    connection.token_set_id = token_set_id
    connection.tenant_name = tenant.tenant_name
    connection.xero_connection_id = tenant.connection_id
    connection.state = ConnectionState.CONNECTED
    connection.connected_by_user_id = user_id
    connection.connected_at = now
    connection.disconnected_at = None
    connection.last_error = None
    connection.reconnect_notified_at = None
    for other in work.connections.others_connected(workspace_id, connection.id):
        other.state = ConnectionState.DISCONNECTED
        other.disconnected_at = now
    work.session.flush()
    if replaced is None or replaced.id == token_set_id or work.connections.of_token_set(replaced.id):
        return connection, reconnected, None
    return connection, reconnected, replaced
