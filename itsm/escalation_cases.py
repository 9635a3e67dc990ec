"""The escalation cases (DOMAIN.md, "Escalation to coordination") and the
data each packet must carry. Facts only: the packet stores the case's code
and its fields by name; labels are put into words when a page is rendered.

Which kind may carry which case is the kind's own declaration
(``Kind.escalation_cases``); the core asks the registry."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from itsm.kinds import all_kinds, kind_for_code

# What a field holds; the packet form picks its form field from it.
TEXT = "text"
LONG_TEXT = "long_text"
TAX_ID = "tax_id"
PHONE = "phone"
REGISTRO = "registro"
IP = "ip"
DATETIME = "datetime"
DATE = "date"
AMOUNT = "amount"
ATTACHMENT = "attachment"
LINK_OPERATION = "link_operation"
CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class CaseField:
    name: str
    label: object
    type: str
    required: bool = True


@dataclass(frozen=True)
class EscalationCase:
    code: str
    label: object
    hint: object  # one line for the guidance panel
    fields: tuple[CaseField, ...]

    def field(self, name: str) -> CaseField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def checklist(self) -> tuple[CaseField, ...]:
        """What a coordinator may tick as missing when returning the packet."""
        return self.fields


LINK_OPERATIONS = (
    ("link", _("Linking")),
    ("unlink", _("Unlinking")),
)

CASES: dict[str, EscalationCase] = {
    case.code: case
    for case in (
        EscalationCase(
            "error23",
            _("ERROR 23"),
            _(
                "Error type, customer code (CIF/NIF of the subscriber and FLEI code), the web "
                "procedure where it happens, the Registro Mercantil affected, contact phone "
                "and person."
            ),
            (
                CaseField("error_type", _("Error type"), TEXT),
                CaseField("tax_id", _("Subscriber's CIF/NIF"), TAX_ID),
                CaseField("flei_code", _("FLEI code"), TEXT),
                CaseField("web_procedure", _("Web procedure (trámite web)"), TEXT),
                CaseField("registro", _("Registro Mercantil affected"), REGISTRO),
                CaseField("contact_phone", _("Contact phone"), PHONE),
                CaseField("contact_person", _("Contact person"), TEXT),
            ),
        ),
        EscalationCase(
            "unsolved",
            _("Unsolved error reported by the user"),
            _("Screenshot, IP, time of the error and every check done with the user."),
            (
                CaseField("screenshot", _("Screenshot"), ATTACHMENT),
                CaseField("ip_address", _("User's IP address"), IP),
                CaseField("error_at", _("Date and time of the error"), DATETIME),
                CaseField("checks_done", _("Checks done with the user"), LONG_TEXT),
            ),
        ),
        EscalationCase(
            "linking",
            _("Linking / unlinking"),
            _("The LOPD form and the cuadro de vinculación, correctly filled in."),
            (
                CaseField("operation", _("Operation"), LINK_OPERATION),
                CaseField("lopd_form", _("LOPD form"), ATTACHMENT),
                CaseField("linking_table", _("Cuadro de vinculación"), ATTACHMENT),
                CaseField(
                    "forms_checked",
                    _("I have checked that both documents are correctly filled in"),
                    CONFIRMATION,
                ),
            ),
        ),
        EscalationCase(
            "flei",
            _("FLEI inconsistency"),
            _(
                "The user paid their debt but FLEI does not show it confirmed: FLEI code, "
                "payment date and amount, proof of payment if the user sent it."
            ),
            (
                CaseField("flei_code", _("FLEI code"), TEXT),
                CaseField("paid_on", _("Payment date"), DATE),
                CaseField("amount", _("Amount paid (€)"), AMOUNT),
                CaseField("payment_proof", _("Proof of payment"), ATTACHMENT, required=False),
            ),
        ),
        EscalationCase(
            "other",
            _("Other cause"),
            _("Describe what happens and what the coordinator has to do."),
            (CaseField("description", _("Description"), LONG_TEXT),),
        ),
    )
}

CASE_CHOICES = [(code, case.label) for code, case in CASES.items()]


def cases_for(kind_code: str) -> list[EscalationCase]:
    kind = kind_for_code(kind_code)
    codes = kind.escalation_cases if kind else ()
    return [CASES[code] for code in codes if code in CASES]


def kind_holding(case_code: str, *, other_than: str):
    """The kind a case belongs to when ``other_than`` cannot carry it (ERROR 23
    on a work order → incidents), or None."""
    return next(
        (k for k in all_kinds() if k.code != other_than and case_code in k.escalation_cases),
        None,
    )
