"""Who may do what: workspace admins are always bot admins; admins grant finance and admin to others."""

from __future__ import annotations

import enum
import re
import threading
import time
from dataclasses import dataclass

from bot.errors import DomainError, NotAllowed
from bot.slack.directory import SlackDirectory
from storage.models import Role
from storage.uow import UnitOfWorkFactory

MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")
PLAIN_ID = re.compile(r"^@?([UW][A-Z0-9]{2,31})$")


class Access(enum.IntEnum):
    EMPLOYEE = 0
    FINANCE = 1
    ADMIN = 2


@dataclass(frozen=True)
class Actor:
    """The user acting, in the workspace they act in; built from the Slack request, never from its content."""

    workspace_id: int
    team_id: str
    user_id: str


WHO = {
    Access.ADMIN: "workspace admins and people given the bot's admin role",
    Access.FINANCE: "finance users and admins",
}


# Bot roles are read on most clicks; each is kept this long. A grant here is seen at once; one made on another
# instance within this time (Slack's own admin flag is cached longer, in bot/slack/directory.py).
ROLE_CACHE_SECONDS = 10.0


class Roles:
    def __init__(
        self, *, uow: UnitOfWorkFactory, directory: SlackDirectory, cache_seconds: float = ROLE_CACHE_SECONDS
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._cache_seconds = cache_seconds
        self._known: dict[tuple[int, str], tuple[float, Role | None]] = {}  # (workspace, user): (read at, role)
        self._lock = threading.Lock()

    def access_of(self, actor: Actor) -> Access:
        if self._directory.is_workspace_admin(actor.team_id, actor.user_id):
            return Access.ADMIN
        return self._granted(actor)

    def require(self, actor: Actor, needed: Access, doing: str) -> None:
        """The bot role first: a finance user's options load or click asks Slack nothing (users.info)."""
        if self._granted(actor) < needed and self.access_of(actor) < needed:
            raise NotAllowed(f"Only {WHO[needed]} can {doing}. Ask an admin (`/xero role`) if you need to.")

    def _granted(self, actor: Actor) -> Access:
        key, started = (actor.workspace_id, actor.user_id), time.monotonic()
        with self._lock:
            known = self._known.get(key)
        if known is not None and started - known[0] < self._cache_seconds:
            role = known[1]
        else:
            with self._uow.reading() as work:
                role = work.roles.role_of(actor.workspace_id, actor.user_id)
            self._remember(key, started, role)
        return {Role.ADMIN: Access.ADMIN, Role.FINANCE: Access.FINANCE, None: Access.EMPLOYEE}[role]

    def _remember(self, key: tuple[int, str], read_at: float, role: Role | None) -> None:
        with self._lock:  # never over what a later read or a grant found
            if key not in self._known or self._known[key][0] <= read_at:
                self._known[key] = (read_at, role)

    def grant(self, actor: Actor, target: str, role_name: str) -> tuple[str, Role | None]:
        """`/xero role @user finance|admin|none`; returns the target's user id and new role."""
        self.require(actor, Access.ADMIN, "change roles")
        user_id = parse_user(target)
        role = parse_role(role_name)
        with self._uow() as work:
            before = work.roles.role_of(actor.workspace_id, user_id)
            work.roles.set_role(actor.workspace_id, user_id, role, granted_by=actor.user_id)
            work.audit.record(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="role.changed",
                subject_type="user",
                subject_id=user_id,
                before=before.value if before else None,
                after=role.value if role else None,
            )
            work.commit()
        self._remember((actor.workspace_id, user_id), time.monotonic(), role)
        return user_id, role

    def holders(self, workspace_id: int, role: Role) -> list[str]:
        with self._uow() as work:
            return list(work.roles.holders(workspace_id, role))


def parse_user(text: str) -> str:
    text = text.strip()
    for pattern in (MENTION, PLAIN_ID):
        match = pattern.match(text)
        if match:
            return match.group(1)
    raise DomainError("Name the person with a mention, like `/xero role @ana finance`.")


def parse_role(text: str) -> Role | None:
    name = text.strip().lower()
    if name == "none":
        return None
    try:
        return Role(name)
    except ValueError:
        raise DomainError("The role must be `finance`, `admin` or `none`.") from None
