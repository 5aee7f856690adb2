"""Coding a payment for Xero: account, tax rate, tracking, contact, description, exclusion. Every change names the
version the user saw; one based on an older version is refused instead of overwriting someone else's choice."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from bot.clock import Clock
from bot.connection.roles import Access, Actor, Roles
from bot.errors import DomainError, NotAllowed, NotFound
from bot.payments import lifecycle
from bot.payments.card_view import choices_of, coding_choices, payment_card
from bot.payments.cards import AccountChoice, CodingChoices, PaymentCard
from bot.payments.details import checked_details
from bot.payments.kept_choices import AccountChoices
from bot.payments.splits import one_line
from bot.sync.history_events import coded_by_person, edited_by_person
from bot.text_input import NOTE_MAX, checked_text, search_text
from storage.models import CategoryMapping, Payment, PaymentState
from storage.repositories import category_key
from storage.uow import UnitOfWork, UnitOfWorkFactory

NOT_EXCLUDABLE = "Only payments not yet in Xero can be excluded."
EXCLUSION_REASONS = {"personal": "personal expense", "duplicate": "duplicate", "transfer": "transfer", "other": "other"}


class Conflict(DomainError):
    """Someone changed the payment since this user's view of it; the view is refreshed."""

    def __init__(self, payment_id: int) -> None:
        super().__init__(
            "Someone else changed this payment a moment ago, so your change was not saved. "
            "The message now shows their change; please make yours again."
        )
        self.payment_id = payment_id


@dataclass(frozen=True)
class Changed:
    card: PaymentCard
    choices: CodingChoices
    channel_id: str | None
    message_ts: str | None
    offer_category: AccountChoice | None = None


class CodingService:
    def __init__(self, *, uow: UnitOfWorkFactory, clock: Clock, roles: Roles) -> None:
        self._uow = uow
        self._clock = clock
        self._roles = roles
        self._account_choices = AccountChoices()

    # --- reading -----------------------------------------------------------------------------

    def view(self, workspace_id: int, payment_id: int) -> Changed:
        """A payment for the bot's own use (redrawing its message); people get `view_for`."""
        with self._uow() as work:
            payment = self._payment(work, workspace_id, payment_id)
            return self.changed(work, payment)

    def view_for(self, actor: Actor, payment_id: int, doing: str = "see") -> Changed:
        """A payment as `actor` may see it: finance users and admins see every payment of the workspace,
        anyone else only payments they made (and learns nothing of the others, not even whether they exist)."""
        finance = self._roles.access_of(actor) >= Access.FINANCE
        with self._uow() as work:
            payment = work.payments.get(actor.workspace_id, payment_id)
            if not finance and (payment is None or payment.spender_user_id != actor.user_id):
                raise NotAllowed(not_yours(doing))
            if payment is None:
                raise NotFound("That payment no longer exists in this workspace.")
            if doing == "edit":
                lifecycle.refuse_if_reconciled(payment)
            return self.changed(work, payment)

    def view_to_exclude(self, actor: Actor, payment_id: int) -> Changed:
        """The payment for the exclusion form, which only finance users and admins may open, and only while the
        payment may still be excluded (a message out of date may offer it still)."""
        self._roles.require(actor, Access.FINANCE, "exclude payments")
        current = self.view_for(actor, payment_id)
        if current.card.state not in lifecycle.EXCLUDABLE:
            raise DomainError(NOT_EXCLUDABLE)
        return current

    def choices(self, work: UnitOfWork, workspace_id: int) -> CodingChoices:
        return coding_choices(work, workspace_id)

    def account_choices(self, actor: Actor) -> list[AccountChoice]:
        """Only the accounts, read as plain rows: the external select asks for them on every keystroke. The list
        kept for the organisation itself, the same object until its accounts change: not to be changed."""
        self._roles.require(actor, Access.FINANCE, "code payments")
        with self._uow.reading() as work:
            return self._account_choices.of(work, actor.workspace_id)

    def contact_names(self, actor: Actor, query: str, limit: int = 100) -> list[str]:
        """The organisation's Xero contacts matching `query`: for choosing a payment's contact, a finance task."""
        self._roles.require(actor, Access.FINANCE, "choose Xero contacts")
        with self._uow.reading() as work:
            connection = work.connections.active_for(actor.workspace_id)
            if connection is None:
                return []
            return work.reference.contact_names_matching(connection.id, search_text(query), limit)

    # --- changing ----------------------------------------------------------------------------

    def set_account(self, actor: Actor, payment_id: int, version: int, code: str) -> Changed:
        self._roles.require(actor, Access.FINANCE, "code payments")
        with self._uow() as work:
            payment = one_line(self._editable(work, actor, payment_id, version))
            choices = self.choices(work, actor.workspace_id)
            account = next((a for a in choices.accounts if a.code == code), None)
            if account is None:
                raise DomainError(
                    f"Account {code} can't be used for spending in Xero (archived, a bank account, or gone)."
                )
            payment.account_code = account.code
            if account.tax_type and any(t.tax_type == account.tax_type for t in choices.tax_rates):
                payment.tax_type = account.tax_type
            coded_by_person(work, actor.user_id, payment, "account")
            lifecycle.edited(payment)
            offer = account if payment.category else None
            return self.save(work, payment, offer_category=offer)

    def set_tax(self, actor: Actor, payment_id: int, version: int, tax_type: str) -> Changed:
        self._roles.require(actor, Access.FINANCE, "code payments")
        with self._uow() as work:
            payment = one_line(self._editable(work, actor, payment_id, version))
            if not any(t.tax_type == tax_type for t in self.choices(work, actor.workspace_id).tax_rates):
                raise DomainError("That tax rate can't be used on spending in Xero any more; pick another.")
            payment.tax_type = tax_type
            coded_by_person(work, actor.user_id, payment, "tax")
            lifecycle.edited(payment)
            return self.save(work, payment)

    def set_tracking(self, actor: Actor, payment_id: int, version: int, category_id: str, option_id: str) -> Changed:
        self._roles.require(actor, Access.FINANCE, "code payments")
        with self._uow() as work:
            payment = one_line(self._editable(work, actor, payment_id, version))
            tracking = self.choices(work, actor.workspace_id).tracking
            category = next((c for c in tracking if c.category_id == category_id), None)
            if category is None or (option_id and not any(o.option_id == option_id for o in category.options)):
                raise DomainError("That tracking option is archived or gone in Xero; pick another.")
            kept = [t for t in payment.tracking if t.get("category_id") != category_id]
            if option_id:
                kept.append({"category_id": category_id, "option_id": option_id})
            payment.tracking = kept
            coded_by_person(work, actor.user_id, payment, "tracking")
            lifecycle.edited(payment)
            return self.save(work, payment)

    def edit(
        self,
        actor: Actor,
        payment_id: int,
        version: int,
        *,
        description: str | None,
        contact_name: str | None = None,
        reference: str | None = None,
    ) -> None:
        """Employees may change only the description of their own payments; finance changes all three. The Edit
        form's answer is given before this save (bot/payments/details.py); the card is drawn after it."""
        details = checked_details(description, contact_name, reference)
        access = self._roles.access_of(actor)
        with self._uow() as work:
            payment = self._editable(work, actor, payment_id, version)
            if access < Access.FINANCE and payment.spender_user_id != actor.user_id:
                raise NotAllowed(not_yours("edit"))
            payment.description = details.description
            if access >= Access.FINANCE:
                payment.contact_name = details.contact_name
                payment.contact_id = None
                payment.reference = details.reference
            edited_by_person(work, actor.user_id, payment)
            self.write(work, payment)

    def exclude(self, actor: Actor, payment_id: int, version: int, reason: str, note: str | None) -> Changed:
        self._roles.require(actor, Access.FINANCE, "exclude payments")
        if reason not in EXCLUSION_REASONS:
            raise DomainError("Choose why the payment is excluded: personal, duplicate, transfer or other.")
        note = checked_text("note", "The note", note, limit=NOTE_MAX, multiline=True)
        with self._uow() as work:
            payment = self.current(work, actor.workspace_id, payment_id, version)
            if payment.state not in lifecycle.EXCLUDABLE:
                raise DomainError(NOT_EXCLUDABLE)
            lifecycle.exclude(payment, reason, actor.user_id)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.excluded",
                payment_id=payment.id,
                reason=reason,
                note=note,
            )
            return self.save(work, payment)

    def undo_exclude(self, actor: Actor, payment_id: int, version: int) -> Changed:
        self._roles.require(actor, Access.FINANCE, "exclude payments")
        with self._uow() as work:
            payment = self.current(work, actor.workspace_id, payment_id, version)
            if payment.state is not PaymentState.EXCLUDED:
                raise DomainError("This payment is not excluded.")
            lifecycle.include(payment)
            work.audit.payment_event(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="payment.included",
                payment_id=payment.id,
            )
            return self.save(work, payment)

    def use_for_category(self, actor: Actor, payment_id: int) -> CategoryMapping:
        """Make this payment's coding the default for every later payment of its category."""
        self._roles.require(actor, Access.FINANCE, "change the category mapping")
        with self._uow() as work:
            payment = self._payment(work, actor.workspace_id, payment_id)
            if not payment.category or not payment.account_code:
                raise DomainError("This payment has no category or no account to remember.")
            mapping = work.payments.category_mapping(actor.workspace_id, payment.category)
            if mapping is None:
                mapping = CategoryMapping(
                    workspace_id=actor.workspace_id,
                    category_key=category_key(payment.category),
                    category=payment.category,
                )
                work.session.add(mapping)
            mapping.account_code = payment.account_code
            mapping.tax_type = payment.tax_type
            mapping.tracking = list(payment.tracking)
            mapping.updated_by_user_id = actor.user_id
            work.audit.record(
                workspace_id=actor.workspace_id,
                actor_user_id=actor.user_id,
                action="category_mapping.set",
                subject_type="category",
                subject_id=payment.category[:64],
                account_code=payment.account_code,
                tax_type=payment.tax_type,
            )
            work.commit()
            return mapping

    def _payment(self, work: UnitOfWork, workspace_id: int, payment_id: int) -> Payment:
        payment = work.payments.get(workspace_id, payment_id)
        if payment is None:
            raise NotFound("That payment no longer exists in this workspace.")
        return payment

    def current(self, work: UnitOfWork, workspace_id: int, payment_id: int, version: int) -> Payment:
        """The payment as the person saw it, or NotFound / Conflict."""
        payment = self._payment(work, workspace_id, payment_id)
        if payment.version != version:
            raise Conflict(payment_id)
        return payment

    def _editable(self, work: UnitOfWork, actor: Actor, payment_id: int, version: int) -> Payment:
        payment = self._payment(work, actor.workspace_id, payment_id)
        lifecycle.refuse_if_reconciled(payment)  # whatever version was seen
        if payment.version != version:
            raise Conflict(payment_id)
        if payment.state not in lifecycle.CODABLE:
            raise DomainError(_not_editable(payment.state))
        return payment

    def save(self, work: UnitOfWork, payment: Payment, offer_category: AccountChoice | None = None) -> Changed:
        """Write a changed payment and commit; a write raced by another request's is refused as a Conflict. The card
        is drawn after the commit, so the write holds its locks only as long as the write itself."""
        self.write(work, payment)
        return self.changed(work, payment, offer_category)

    def write(self, work: UnitOfWork, payment: Payment) -> None:
        payment_id = payment.id  # read now: a failed flush leaves nothing loadable
        try:
            work.session.flush()
        except StaleDataError as stale:  # another request wrote the payment between our read and this write
            raise Conflict(payment_id) from stale
        work.commit()

    def changed(self, work: UnitOfWork, payment: Payment, offer_category: AccountChoice | None = None) -> Changed:
        connection = work.connections.active_for(payment.workspace_id)
        choices = choices_of(work, connection)
        return Changed(
            card=payment_card(payment, choices, connection),
            choices=choices,
            channel_id=payment.channel_id,
            message_ts=payment.message_ts,
            offer_category=offer_category,
        )


def not_yours(doing: str) -> str:
    return f"You can only {doing} payments you made. Finance users and admins can {doing} any payment."


def _not_editable(state: PaymentState) -> str:
    if state is PaymentState.EXCLUDED:
        return "This payment is excluded; undo the exclusion first."
    return "This payment is being synced to Xero right now; try again in a moment."
