"""The mailbox (*Buzón*): the console of messages waiting, a message's page
and its actions. For agents and coordinators, as the ticket consoles."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.forms import CustomerForm
from customers.models import Customer
from itsm.attachments import file_response
from itsm.common.access import agent_required
from itsm.common.forms import add_service_errors
from itsm.common.links import desk_hosts
from itsm.common.pagination import filtered_list, filters_or_defaults
from itsm.forms import TicketCreateForm
from itsm.kinds import Kind, all_kinds, kind_for_code, kind_for_number
from itsm.selectors import agent_default_group_id, tickets_open_for_customer
from itsm.suggestions import creation_transaction, ticket_created_from_form
from itsm.views.actions import post_action
from itsm.views.ticket_new import new_ticket_context
from notifications.filters import InboundEmailFilterSet
from notifications.forms import AddToTicketForm, MailboxVersionForm, NoActionForm
from notifications.mail_decoding import header_list
from notifications.models import InboundAttachment, InboundEmail
from notifications.presenters import (
    cid_urls,
    classification_label,
    classification_rule,
    mailbox_rows,
    safe,
    sanitise_html,
)
from notifications.quoting import split_quoted
from notifications.selectors import mailbox_messages, sender_customers
from notifications.services.mailbox import (
    StaleMessageError,
    mailbox_add_to_ticket,
    mailbox_create_ticket,
    mailbox_no_action,
    mailbox_take,
)

# What the mailbox shows when no filter is given: what is waiting.
DEFAULT_FILTERS = "f=1&status=new&status=in_progress"
KEYS = ("received_at", "id")


@agent_required
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """Messages not threaded by themselves, newest first, keyset pages."""
    data = filters_or_defaults(request, DEFAULT_FILTERS)
    filterset = InboundEmailFilterSet(data, queryset=mailbox_messages(), request=request)
    context = {"filterset": filterset, "page": None, "rows": []}
    # The first lines of the text for the preview, not all of it.
    rows = filterset.qs.annotate(preview_text=Substr("body_text", 1, 400))
    listing = filtered_list(request, filterset, KEYS, data=data, rows=rows)
    if listing is None:
        return render(request, "notifications/mailbox.html", context, status=400)
    for email in listing.page.rows:
        email.body_text = email.preview_text
    context.update(listing.context(), rows=mailbox_rows(listing.page.rows))
    return render(request, "notifications/mailbox.html", context)


def _get_email(pk: int) -> InboundEmail:
    return get_object_or_404(
        InboundEmail.objects.select_related("assigned_to", "acted_by", "bounced_email"), pk=pk
    )


def _detail_context(request: HttpRequest, email: InboundEmail) -> dict:
    attachments = list(email.attachments.order_by("position"))
    show_images = request.GET.get("images") == "1"
    html = ""
    if email.body_html:
        html = sanitise_html(
            email,
            show_images=show_images,
            cid_urls=cid_urls(email, attachments),
            desk_hosts=desk_hosts(request),
        )
    customers = sender_customers(email)
    open_tickets = []
    if len(customers) == 1:
        open_tickets = tickets_open_for_customer(customer=customers[0])
    new_text, quoted = split_quoted(email.body_text)
    headers = None
    if request.GET.get("headers") == "1":
        with email.raw.open("rb") as handle:
            headers = header_list(handle.read(262_144))
    return {
        "email": email,
        "attachments": [a for a in attachments if not (a.inline and a.content_id)],
        "html": safe(html),
        "show_images": show_images,
        "new_text": new_text,
        "quoted": quoted,
        "customers": customers,
        "open_tickets": open_tickets,
        "headers": headers,
        "classification": classification_label(email),
        "classification_rule": classification_rule(email),
        "can_act": email.is_open and not email.is_quarantined,
        "version_form": MailboxVersionForm(initial={"version": email.version}),
        "no_action_form": NoActionForm(initial={"version": email.version}, prefix="na"),
        "add_form": AddToTicketForm(initial={"version": email.version}, prefix="add"),
        "ticket_url": _ticket_url_for_number(email.ticket_number),
        "kinds": [(kind.code, kind.singular) for kind in all_kinds()],
    }


def _ticket_url_for_number(number: str) -> str | None:
    kind = kind_for_number(number) if number else None
    return kind.detail_url(number) if kind is not None else None


@agent_required
@require_GET
def mailbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = _get_email(pk)
    return render(request, "notifications/mailbox_detail.html", _detail_context(request, email))


def _refused(request: HttpRequest, email: InboundEmail, error: StaleMessageError) -> HttpResponse:
    messages.error(request, str(error))
    fresh = _get_email(email.pk)
    return render(
        request, "notifications/mailbox_detail.html", _detail_context(request, fresh), status=409
    )


def _detail_again(request: HttpRequest, email: InboundEmail, **forms) -> HttpResponse:
    """The message's page with a form that was sent back, and its errors."""
    context = {**_detail_context(request, email), **forms}
    return render(request, "notifications/mailbox_detail.html", context, status=400)


def _mailbox_action(
    request: HttpRequest, email: InboundEmail, form: MailboxVersionForm, service, **answers
) -> HttpResponse:
    """``post_action`` for a message: ``service`` gets the message, the user,
    the version the form carries and the form's other fields; its stale
    refusal shows the page again."""

    def perform() -> Any:
        data = dict(form.cleaned_data)
        version = data.pop("version")
        return service(email=email, user=request.user, expected_version=version, **data)

    return post_action(
        request,
        form,
        perform,
        stale=lambda error: _refused(request, email, error),
        stale_error=StaleMessageError,
        **answers,
    )


@agent_required
@require_POST
def mailbox_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    email = _get_email(pk)
    return _mailbox_action(
        request,
        email,
        MailboxVersionForm(request.POST),
        mailbox_take,
        done=lambda _result: (_("The message is now assigned to you."), email),
        again=lambda: redirect(email),
    )


# The actions with a form of their own on the message's page: the form, its
# prefix, and the name under which it goes back into the page with its errors.
FORM_ACTIONS = {
    mailbox_no_action: (NoActionForm, "na", "no_action_form"),
    mailbox_add_to_ticket: (AddToTicketForm, "add", "add_form"),
}


def _form_action(request: HttpRequest, pk: int, service, done) -> HttpResponse:
    """``_mailbox_action`` with the action's own form (``FORM_ACTIONS``)."""
    form_class, prefix, page_name = FORM_ACTIONS[service]
    email = _get_email(pk)
    form = form_class(request.POST, prefix=prefix)

    def again() -> HttpResponse:
        return _detail_again(request, email, **{page_name: form})

    return _mailbox_action(request, email, form, service, done=done, again=again)


@agent_required
@require_POST
def mailbox_no_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = (_("Closed with no action."), "notifications:mailbox")
    return _form_action(request, pk, mailbox_no_action, done=lambda _result: answer)


@agent_required
@require_POST
def mailbox_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    def done(ticket) -> tuple[str, Any]:
        return _("The message has been added to %(number)s.") % {"number": ticket.number}, ticket

    return _form_action(request, pk, mailbox_add_to_ticket, done=done)


def _kind(code: str) -> Kind:
    kind = kind_for_code(code)
    if kind is None:
        raise Http404(_("There is no such kind of ticket."))
    return kind


def _prefill(email: InboundEmail, user) -> tuple[dict, Customer | None]:
    customers = sender_customers(email)
    customer = customers[0] if len(customers) == 1 else None
    new_text, _quoted = split_quoted(email.body_text)
    initial = {
        "summary": " ".join(email.subject.split())[:100],
        "description": new_text[:10_000],
        "reported_source": "email",
        "assigned_group": agent_default_group_id(user),
        "work_info_notes": _("E-mail from %(sender)s (message %(id)d)")
        % {"sender": email.sender, "id": email.pk},
    }
    if customer is not None:
        initial["customer"] = customer.pk
    return initial, customer


# What the agent fills in on a ticket from a message, in the page's order;
# the customer search comes first when the sender is not known.
FILLED_BY_THE_AGENT = ("template", "summary", "description")


def _focus_first_empty(form: TicketCreateForm) -> None:
    """The cursor goes to the first field the message left empty."""
    for name in FILLED_BY_THE_AGENT:
        if not form.initial.get(name):
            form.fields[name].widget.attrs["autofocus"] = True
            return


def _customer_form(email: InboundEmail) -> CustomerForm:
    first, _space, rest = (email.from_name or "").partition(" ")
    return CustomerForm(
        prefix="customer",
        initial={"email": email.from_address, "first_name": first, "surnames": rest},
    )


@agent_required
@require_http_methods(["GET", "POST"])
def mailbox_new_ticket(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """*Crear incidencia* / *Crear orden de trabajo*: the new-ticket page,
    prefilled from the message; its files go to the first journal entry."""
    kind = _kind(kind)
    email = _get_email(pk)
    user = request.user
    if not email.is_open or email.is_quarantined:
        messages.error(request, _("This message has already been dealt with."))
        return redirect(email)
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, model=kind.model, user=user)
        version_form = MailboxVersionForm(request.POST, prefix="inbound")
        if form.is_valid() and version_form.is_valid():
            try:
                with creation_transaction(request.POST):
                    ticket = mailbox_create_ticket(
                        email=email,
                        user=user,
                        expected_version=version_form.cleaned_data["version"],
                        model=kind.model,
                        **form.ticket_fields(),
                    )
                    ticket_created_from_form(ticket=ticket, data=request.POST, user=user)
            except StaleMessageError as error:
                return _refused(request, email, error)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(number)s created") % {"number": ticket.number})
                return redirect(ticket)
        customer = None
    else:
        initial, customer = _prefill(email, user)
        form = TicketCreateForm(model=kind.model, user=user, initial=initial)
        if customer is not None:
            _focus_first_empty(form)
    context = new_ticket_context(kind, form)
    if customer is not None:
        context["customer"] = customer
        context["open_tickets"] = tickets_open_for_customer(customer=customer)
    if context.get("customer") is None:
        context["customer_form"] = _customer_form(email)
    context["inbound"] = email
    context["inbound_files"] = [a for a in email.attachments.order_by("position") if not a.inline]
    context["cancel_url"] = email.get_absolute_url()
    return render(request, "itsm/ticket_new.html", context)


@agent_required
@require_GET
def mailbox_raw(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as received, as a download (never rendered)."""
    email = _get_email(pk)
    return file_response(email.raw, name=f"mensaje-{email.pk}.eml")


@agent_required
@require_GET
def mailbox_attachment(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """A file of the message, as a download; a raster image asked for
    ``?inline=1`` (a ``cid:`` image of the message) may be shown in the page."""
    attachment = get_object_or_404(InboundAttachment, email_id=pk, position=position)
    return file_response(
        attachment.file, name=attachment.name, inline=request.GET.get("inline") == "1"
    )
