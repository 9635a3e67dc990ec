"""The compose page of a ticket's mail, the message page and its actions.
One implementation for every kind of ticket, given by its URL pattern."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from itsm.attachments import file_response
from itsm.common.access import agent_required, get_ticket_for_user
from itsm.common.feedback import report_outcome
from itsm.common.forms import add_service_errors
from itsm.kinds import Kind
from itsm.models import Ticket
from itsm.suggestions import CustomerContent, customer_content
from notifications.forms import EmailComposeForm
from notifications.models import EmailStatus, OutgoingEmail, ResponseTemplateDocument
from notifications.rendering import TemplateRenderError
from notifications.selectors import response_templates_for
from notifications.services.compose import (
    email_remove_attachment,
    email_render,
    email_resend,
    email_save_draft,
    email_send,
    email_subject,
    no_email_message,
)


def ticket_page_url(ticket: Ticket) -> str:
    return ticket.get_absolute_url() + "#ticket-emails"


def _message_url(ticket: Ticket, email: OutgoingEmail) -> str:
    return reverse(ticket.kind.url_name("email_message"), args=[ticket.number, email.pk])


def _get_email(ticket: Ticket, email_id: int) -> OutgoingEmail:
    queryset = OutgoingEmail.objects.for_ticket(ticket).select_related("template", "queued_by")
    return get_object_or_404(queryset, pk=email_id)


def _ticket_email(
    request: HttpRequest, kind: Kind, number: str, email_id: int
) -> tuple[Ticket, OutgoingEmail]:
    """The ticket, if the user may see it, and one of its outgoing messages."""
    ticket = get_ticket_for_user(request.user, kind.model, number)
    return ticket, _get_email(ticket, email_id)


def _sent_content(request, form, email) -> CustomerContent | None:
    """What a new message carries from *Enviar al cliente* (the article in the
    form's ``article``), for ``request.user`` to send; a saved draft already
    holds it."""
    reference = form.data.get("article", "") if form.is_bound else form.initial.get("article", "")
    if email is not None or not reference:
        return None
    return customer_content(reference, request.user)


def _compose_page(request, ticket: Ticket, email, form, *, chosen, preview_html) -> HttpResponse:
    content = _sent_content(request, form, email)
    return render(
        request,
        "notifications/email_compose.html",
        {
            "ticket": ticket,
            "kind": ticket.kind,
            "email": email,
            "form": form,
            "subject": email_subject(ticket=ticket, template=chosen) if chosen else "",
            "chosen": chosen,
            "preview_html": preview_html,
            "no_email_message": "" if ticket.customer.email else no_email_message(),
            "carried_documents": [name for name, _file in content.documents] if content else [],
        },
    )


def _confirm_sent(request: HttpRequest, email: OutgoingEmail) -> None:
    """Say what the outbox says now: without a broker the mail has already
    gone (or failed) by the time the page comes back."""
    email.refresh_from_db(fields=["status", "last_error"])
    to = {"to": email.to_email}
    if email.status == EmailStatus.SENT:
        messages.success(request, _("The message to %(to)s has been sent.") % to)
    elif email.status in (EmailStatus.FAILED, EmailStatus.BOUNCED):
        messages.error(
            request,
            _("The message to %(to)s could not be sent (%(error)s); it can be resent below.")
            % {**to, "error": email.last_error or email.get_status_display()},
        )
    else:
        messages.success(
            request, _("The message to %(to)s is queued; it will be sent in a moment.") % to
        )


def _compose_post(request, ticket: Ticket, email, form) -> HttpResponse:
    """ "+" previews the chosen template, *Guardar* keeps a draft, *Enviar*
    queues it; the page comes back with the errors and what was typed."""
    preview_html = email.body_html if email is not None else ""
    chosen = email.template if email is not None else None
    if form.is_valid():
        data = form.cleaned_data
        chosen = data["template"]
        arguments = {
            "ticket": ticket,
            "user": request.user,
            "template": chosen,
            "amount": data["amount"],
            "note": data["note"],
        }
        content = _sent_content(request, form, email)
        files = {
            "attachment": data.get("attachment"),
            "documents": content.documents if content else (),
            "email": email,
        }
        action = request.POST.get("action", "preview")
        try:
            if action == "send":
                email = email_send(**arguments, **files)
                _confirm_sent(request, email)
                return HttpResponseRedirect(ticket_page_url(ticket))
            if action == "save":
                email = email_save_draft(**arguments, **files)
                messages.success(request, _("Draft saved."))
                return redirect(_message_url(ticket, email))
            preview_html = email_render(**arguments)[1]
        except ValidationError as error:
            add_service_errors(form, error)
        except TemplateRenderError as error:
            form.add_error("template", str(error))
    return _compose_page(request, ticket, email, form, chosen=chosen, preview_html=preview_html)


@agent_required
@require_http_methods(["GET", "POST"])
def email_compose(
    request: HttpRequest, kind: Kind, number: str, email_id: int | None = None
) -> HttpResponse:
    """New message (``<number>/email/``) or a saved draft / sent message
    (``<number>/email/<id>/``)."""
    ticket = get_ticket_for_user(request.user, kind.model, number, select_related=("customer",))
    email = _get_email(ticket, email_id) if email_id is not None else None
    if email is not None and not email.is_draft:
        if request.method == "POST":
            messages.error(request, _("This message has already been sent."))
            return redirect(_message_url(ticket, email))
        context = {"ticket": ticket, "email": email, "kind": ticket.kind}
        return render(request, "notifications/email_message.html", context)

    templates = response_templates_for(kind=ticket.KIND, user=request.user).prefetch_related(
        "documents"
    )
    slot = email.free_slot if email is not None else 1
    if request.method == "POST":
        form = EmailComposeForm(request.POST, request.FILES, templates=templates, slot=slot)
        return _compose_post(request, ticket, email, form)
    initial = {}
    if email is not None:
        amount = str(email.amount).replace(".", ",") if email.amount is not None else None
        initial = {"template": email.template, "amount": amount, "note": email.note}
    elif request.GET.get("article"):
        # *Enviar al cliente* from a suggested article: its text in the note,
        # its documents attached once the message is saved.
        content = customer_content(request.GET["article"], request.user)
        if content is not None:
            initial = {"note": content.text, "article": request.GET["article"]}
    form = EmailComposeForm(initial=initial, templates=templates, slot=slot)
    return _compose_page(
        request,
        ticket,
        email,
        form,
        chosen=email.template if email is not None else None,
        preview_html=email.body_html if email is not None else "",
    )


@agent_required
@require_POST
def email_resend_view(request: HttpRequest, kind: Kind, number: str, email_id: int) -> HttpResponse:
    ticket, email = _ticket_email(request, kind, number, email_id)
    report_outcome(
        request,
        lambda: email_resend(email=email, user=request.user),
        _("The message to %(to)s is queued again.") % {"to": email.to_email},
    )
    return HttpResponseRedirect(ticket_page_url(ticket))


@agent_required
@require_http_methods(["GET"])
def email_attachment(
    request: HttpRequest, kind: Kind, number: str, email_id: int, position: int
) -> HttpResponse:
    ticket, email = _ticket_email(request, kind, number, email_id)
    files = dict(email.attachments)
    if position not in files:
        raise Http404(_("There is no file %(n)d.") % {"n": position})
    return file_response(files[position])


@agent_required
@require_POST
def email_attachment_remove(
    request: HttpRequest, kind: Kind, number: str, email_id: int, position: int
) -> HttpResponse:
    ticket, email = _ticket_email(request, kind, number, email_id)
    report_outcome(
        request, lambda: email_remove_attachment(email=email, user=request.user, position=position)
    )
    return redirect(_message_url(ticket, email))


@agent_required
@require_http_methods(["GET"])
def template_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A response template's standard document, as the customer receives it."""
    document = get_object_or_404(ResponseTemplateDocument, pk=pk)
    return file_response(document.file, name=document.name)
