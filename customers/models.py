from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.constraints import sparse_index, unique_unless_blank
from itsm.common.fields import active_flag, created_field, foreign_key
from itsm.common.phones import display_phone
from itsm.common.rows import DetailPageRow, LabelledChoicesRow


class CustomerKind(models.TextChoices):
    REGISTRY = "registry", _("Registry or CORPME (ISSI)")
    SUBSCRIBER = "subscriber", _("Subscriber")
    CITIZEN = "citizen", _("Citizen (not a subscriber)")


# What a person types about a customer; the rest is derived or kept by the system.
CUSTOMER_FIELDS = (
    "kind",
    "first_name",
    "surnames",
    "organisation",
    "tax_id",
    "email",
    "flei_code",
)


# What an agent note may hold: a few paragraphs, not a file.
AGENT_NOTE_MAX_LENGTH = 4000


class CustomerQuerySet(models.QuerySet):
    def active(self) -> "CustomerQuerySet":
        return self.filter(active=True)

    def unblocked(self) -> "CustomerQuerySet":
        return self.filter(blocked_at__isnull=True)


def blocked_customer_ids() -> models.QuerySet:
    """The blocked customers' ids as a subquery: lists of tickets exclude them
    in their own query (``customer_id NOT IN (…)``, one hashed set read once
    through ``customer_blocked_idx``), with no join per row and no extra query."""
    return Customer.objects.filter(blocked_at__isnull=False).values("pk")


def hide_blocked(queryset: models.QuerySet, *, field: str = "customer") -> models.QuerySet:
    """``queryset`` without the rows of blocked customers (``field`` names the
    customer key; ``pk`` for customers themselves)."""
    return queryset.exclude(**{f"{field}__in": blocked_customer_ids()})


def full_name(first_name: str, surnames: str, organisation: str) -> str:
    """How the desk names a customer: the person, else the organisation."""
    name = " ".join(part for part in (first_name, surnames) if part)
    return name or organisation


class Customer(DetailPageRow, LabelledChoicesRow):
    detail_url_name = "customers:detail"

    kind = models.CharField(_("customer kind"), max_length=20, choices=CustomerKind.choices)
    first_name = models.CharField(_("name"), max_length=100)
    surnames = models.CharField(_("surnames"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("tax id (CIF/NIF)"),
        max_length=12,
        blank=True,
        help_text=_("NIF, NIE or CIF; dots, spaces and dashes are removed."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    # Set when mail to ``email`` bounced with a permanent failure (5.x.x); the
    # diagnostic is the receiving server's own words. Cleared with the address.
    email_failing_since = models.DateTimeField(_("e-mail failing since"), null=True, blank=True)
    email_failure = models.CharField(_("e-mail failure"), max_length=500, blank=True)
    flei_code = models.CharField(
        _("FLEI code"),
        max_length=20,
        blank=True,
        help_text=_("Subscriber code (subscribers only)."),
    )
    active = active_flag()
    # What agents want the next agent to know (prefers mornings, deaf, ...):
    # typed by a person, edited from the customer page.
    agent_note = models.TextField(_("note for agents"), blank=True)
    # The phones as cards and lists show them ("612 34 56 78 · 915 55 01 00"),
    # kept by the services with the phones so a list of customers or a ticket
    # header needs no query for them.
    phones_summary = models.CharField(_("phones"), max_length=200, blank=True, editable=False)
    # Accent-free, lower-case name, surnames and organisation: what search compares.
    search_name = models.CharField(max_length=460, blank=True, editable=False)
    created_at = created_field(auto=True)
    # Set when an erasure request blocks the customer (LOPD-GDD art. 32): kept
    # out of every ordinary use until anonymised (privacy/).
    blocked_at = models.DateTimeField(_("blocked"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            unique_unless_blank("tax_id", name="customer_unique_tax_id"),
            models.CheckConstraint(
                condition=models.Q(kind="subscriber") | models.Q(flei_code=""),
                name="customer_flei_only_for_subscribers",
            ),
        ]
        indexes = [
            # Search by e-mail (exact, normalised to lower case).
            models.Index(fields=["email"], name="customer_email_idx"),
            # Search by name prefix ("gomez" → "gomez garcia, ana").
            models.Index(fields=["search_name"], name="customer_search_name_idx"),
            # Global search by CIF/NIF (tax_id = compact form). The unique
            # constraint is partial (tax_id <> ''), which SQLite cannot use for it.
            models.Index(fields=["tax_id"], name="customer_tax_id_idx"),
            # The few blocked customers, read by every list of tickets.
            sparse_index("blocked_at", name="customer_blocked_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        if self.flei_code and self.kind != CustomerKind.SUBSCRIBER:
            raise ValidationError(
                {"flei_code": _("Only subscribers have a FLEI code.")},
                code="flei_not_subscriber",
            )

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.surnames, self.organisation)

    @property
    def main_phone(self) -> "CustomerPhone | None":
        """The first phone, for one-line cards; reads ``phones`` prefetched."""
        phones = list(self.phones.all())
        return min(phones, key=lambda phone: phone.pk) if phones else None


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    LANDLINE = "landline", _("Landline")
    # The organisation's shared number: several customers may have it.
    SWITCHBOARD = "switchboard", _("Switchboard")


class CustomerPhone(models.Model):
    """One of a customer's phones. ``number`` is what was typed; ``e164`` the
    normalised form every match compares (``itsm.common.phones``). Numbers
    kept from before normalisation that phonenumbers cannot read have an
    empty ``e164``: shown, never matched."""

    customer = foreign_key(Customer, _("customer"), on_delete=models.CASCADE, related_name="phones")
    kind = models.CharField(_("kind"), max_length=20, choices=PhoneKind.choices)
    number = models.CharField(_("number"), max_length=40)
    e164 = models.CharField(_("E.164 number"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("customer phone")
        verbose_name_plural = _("customer phones")
        constraints = [
            unique_unless_blank("customer", "e164", name="customer_phone_unique_per_customer"),
        ]
        indexes = [
            # Who is calling / search by phone: customers_by_phone() and the
            # magnifier look numbers up by their E.164 form.
            models.Index(fields=["e164"], name="customer_phone_e164_idx"),
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return display_phone(self.e164) if self.e164 else self.number
