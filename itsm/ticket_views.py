"""The ticket pages: new ticket, ticket page, quick actions, work info,
attachments and relations. One implementation for incidents and work
orders: every view takes the ticket model from its URL pattern."""

import html
from pathlib import PurePath
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from customers.forms import CustomerForm
from customers.models import Customer
from itsm.access import agent_required, get_ticket_for_user
from itsm.attachments import attachment_response
from itsm.forms import (
    ATTACHMENT_FIELDS,
    AssignToMeForm,
    EscalateForm,
    PendingForm,
    RelationForm,
    ReopenForm,
    ResolveForm,
    TicketCreateForm,
    TicketEditForm,
    VersionedForm,
    WorkInfoForm,
    status_reasons,
    ticket_numbers_from_text,
)
from itsm.models import (
    Relation,
    RequiresAttention,
    Status,
    Ticket,
    TicketTemplate,
    ViewAccess,
    WorkInfo,
    WorkInfoType,
    priority_for,
)
from itsm.services import (
    TEMPLATE_FIELDS,
    StaleTicketError,
    agent_default_group,
    ticket_assign_to_me,
    ticket_create,
    ticket_escalate,
    ticket_models,
    ticket_open_for_customer,
    ticket_relate,
    ticket_relations,
    ticket_reopen,
    ticket_resolve,
    ticket_set_pending,
    ticket_unrelate,
    ticket_update,
    work_info_add,
)

# What the ticket page loads with the ticket for its header. Not the
# creator and last editor: the page does not show them, and each join adds
# to PostgreSQL's planning (8 tables took 11 ms to plan).
TICKET_RELATED = (
    "customer",
    "template",
    "assigned_group",
    "assignee",
    "status_reason",
)

# The usual escalation cases and the data the coordinator needs for each (DOMAIN.md).
ESCALATION_GUIDANCE = (
    (
        gettext_lazy("ERROR 23 (always an incident)"),
        gettext_lazy(
            "Error type, customer code (CIF/NIF of the subscriber and FLEI code), the web "
            "procedure where it happens, the Registro Mercantil affected, contact phone and person."
        ),
    ),
    (
        gettext_lazy("Unsolved errors reported by users"),
        gettext_lazy("Screenshot, IP, time of the error and every check done with the user."),
    ),
    (
        gettext_lazy("Linking / unlinking users"),
        gettext_lazy("The LOPD form and the cuadro de vinculación, correctly filled in."),
    ),
    (
        gettext_lazy("FLEI inconsistencies (work order)"),
        gettext_lazy(
            "The user paid their debt but FLEI does not show it confirmed: payment date and "
            "amount, FLEI code."
        ),
    ),
)

# Prefixes keep the ids of the forms that share one page apart.
ACTION_PREFIXES = {
    "pending": "pending",
    "resolve": "resolve",
    "reopen": "reopen",
    "escalate": "escalate",
    "assign": "assign",
    "work_info": "wi",
    "relation": "rel",
}


def ticket_urlpatterns(model: type[Ticket]) -> list[URLPattern]:
    kwargs = {"model": model}
    return [
        path("new/", ticket_new, kwargs, name="new"),
        path("template-fields/", template_fields, kwargs, name="template_fields"),
        path("reasons/", reason_options, kwargs, name="reasons"),
        path("<str:number>/", ticket_detail, kwargs, name="detail"),
        path("<str:number>/edit/", ticket_edit, kwargs, name="edit"),
        path("<str:number>/assign-to-me/", ticket_assign, kwargs, name="assign_to_me"),
        path("<str:number>/pending/", ticket_pending, kwargs, name="pending"),
        path("<str:number>/resolve/", ticket_resolve_view, kwargs, name="resolve"),
        path("<str:number>/reopen/", ticket_reopen_view, kwargs, name="reopen"),
        path("<str:number>/escalate/", ticket_escalate_view, kwargs, name="escalate"),
        path("<str:number>/work-info/", work_info_create, kwargs, name="work_info_add"),
        path(
            "<str:number>/work-info/<int:entry_id>/files/<int:index>/",
            attachment_download,
            kwargs,
            name="attachment",
        ),
        path("<str:number>/relations/search/", relation_search, kwargs, name="relation_search"),
        path("<str:number>/relations/", relation_add, kwargs, name="relation_add"),
        path(
            "<str:number>/relations/<int:relation_id>/remove/",
            relation_remove,
            kwargs,
            name="relation_remove",
        ),
    ]


# --- helpers ------------------------------------------------------------------


def _namespace(model: type[Ticket]) -> str:
    return model._meta.app_label


def _url_names(model: type[Ticket]) -> dict[str, str]:
    namespace = _namespace(model)
    names = (
        "new",
        "detail",
        "edit",
        "assign_to_me",
        "pending",
        "resolve",
        "reopen",
        "escalate",
        "work_info_add",
        "attachment",
        "relation_search",
        "relation_add",
        "relation_remove",
        "template_fields",
        "reasons",
    )
    return {name: f"{namespace}:{name}" for name in names}


def ticket_url(ticket: Ticket) -> str:
    return reverse(f"{_namespace(type(ticket))}:detail", args=[ticket.number])


def _add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _load(request: HttpRequest, model: type[Ticket], number: str) -> Ticket:
    return get_ticket_for_user(request.user, model, number, select_related=TICKET_RELATED)


def _template_preview(model: type[Ticket], template: TicketTemplate | None) -> dict | None:
    """Section 3 as the template will fill it."""
    if template is None:
        return None
    ticket = model(**{name: getattr(template, name) for name in TEMPLATE_FIELDS})
    ticket.priority = priority_for(ticket.impact, ticket.urgency)
    return {"fields": ticket, "template": template}


def _wire(form: Form, model: type[Ticket]) -> Form:
    """htmx on the template and status pickers: the template fills the summary
    and section 3, the status narrows the reason list."""
    names = _url_names(model)
    form.fields["template"].widget.attrs.update(
        {
            "hx-get": reverse(names["template_fields"]),
            "hx-trigger": "change",
            "hx-target": "#section-3",
            "hx-include": "this",
        }
    )
    form.fields["status"].widget.attrs.update(
        {
            "hx-get": reverse(names["reasons"]),
            "hx-trigger": "change",
            "hx-target": f"#{form['status_reason'].auto_id}",
            "hx-include": "this",
        }
    )
    return form


def _cancel_url(model: type[Ticket]) -> str:
    try:
        return reverse(f"{_namespace(model)}:console")
    except NoReverseMatch:
        return reverse("home")


def _open_tickets_with_urls(customer: Customer, exclude: Ticket | None = None) -> list:
    return [
        (other, ticket_url(other))
        for other in ticket_open_for_customer(customer=customer, exclude=exclude)
    ]


# --- new ticket -----------------------------------------------------------------


@agent_required
def ticket_new(request: HttpRequest, model: type[Ticket]) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, model=model, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_create(
                    model=model,
                    user=user,
                    customer=data["customer"],
                    template=data["template"],
                    summary=data["summary"].strip(),
                    description=data["description"].strip(),
                    reported_source=data["reported_source"],
                    assigned_group=data["assigned_group"],
                    assignee=data["assignee"],
                    status=data["status"],
                    status_reason=data["status_reason"],
                    resolution=data["resolution"].strip(),
                    requires_attention=data["requires_attention"],
                    work_info_notes=data["work_info_notes"].strip(),
                    work_info_attachments=form.attachments(),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("%(number)s created") % {"number": ticket.number})
                return redirect(ticket_url(ticket))
    else:
        group = agent_default_group(user)
        form = TicketCreateForm(
            model=model, user=user, initial={"assigned_group": group.pk if group else None}
        )
    return render(request, "itsm/ticket_new.html", _new_page_context(model, form))


def _new_page_context(model: type[Ticket], form: TicketCreateForm) -> dict:
    customer = None
    template = None
    if form.is_bound:
        customer_id = form.data.get("customer", "")
        if customer_id.isdigit():
            customer = Customer.objects.active().filter(pk=customer_id).first()
        template_id = form.data.get("template", "")
        if template_id.isdigit():
            template = form.fields["template"].queryset.filter(pk=template_id).first()
    return {
        "model": model,
        "form": _wire(form, model),
        "url_names": _url_names(model),
        "cancel_url": _cancel_url(model),
        "customer_form": CustomerForm(prefix="customer"),
        "customer": customer,
        "open_tickets": _open_tickets_with_urls(customer) if customer else [],
        "preview": _template_preview(model, template),
        "files_to_attach_again": form.files_to_attach_again(),
        "attachment_fields": [form[name] for name in ATTACHMENT_FIELDS],
    }


@agent_required
@require_GET
def template_fields(request: HttpRequest, model: type[Ticket]) -> HttpResponse:
    """htmx: section 3 and the summary as the chosen template fills them."""
    template_id = request.GET.get("template", "")
    template = None
    if template_id.isdigit():
        template = TicketTemplate.objects.for_agents(model.KIND).filter(pk=template_id).first()
    summary_form = None
    if template is not None:
        summary_form = TicketCreateForm(
            model=model, user=request.user, initial={"summary": template.summary}
        )
    return render(
        request,
        "itsm/snippets/ticket_template_fields.html",
        {
            "preview": _template_preview(model, template),
            "swap_summary": True,
            "summary_form": summary_form,
        },
    )


@agent_required
@require_GET
def reason_options(request: HttpRequest, model: type[Ticket]) -> HttpResponse:
    """htmx: the reason options of the chosen status."""
    status = request.GET.get("status", "")
    reasons = status_reasons(model.KIND, status) if status in model.STATUSES else []
    return render(request, "itsm/snippets/ticket_reason_options.html", {"reasons": reasons})


# --- ticket page ------------------------------------------------------------------


def _action_forms(ticket: Ticket, user) -> dict:
    model = type(ticket)
    version = VersionedForm.initial_for(ticket)
    forms = {
        "edit": TicketEditForm(model=model, user=user, ticket=ticket),
        "assign": AssignToMeForm(initial=version, prefix=ACTION_PREFIXES["assign"]),
        "pending": PendingForm(model=model, initial=version, prefix=ACTION_PREFIXES["pending"]),
        "resolve": ResolveForm(model=model, initial=version, prefix=ACTION_PREFIXES["resolve"]),
        "reopen": ReopenForm(initial=version, prefix=ACTION_PREFIXES["reopen"]),
        "escalate": EscalateForm(initial=version, prefix=ACTION_PREFIXES["escalate"]),
        "work_info": WorkInfoForm(prefix=ACTION_PREFIXES["work_info"]),
        "relation": RelationForm(prefix=ACTION_PREFIXES["relation"]),
    }
    return forms


class HistoryEntry(NamedTuple):
    """A journal entry, its files (name, download URL) and the markup the
    history shows for it."""

    entry: WorkInfo
    files: list[tuple[str, str]]
    html: SafeString


class _HistoryMarkup:
    """Writes the ``<li>`` of each journal entry in Python. With 50 entries,
    the loop body in the template (lookups, ``{% url %}``, ``linebreaksbr``,
    a translated label per entry) was the page's largest cost; labels are
    translated and escaped once per page here, and ``html.escape`` is what
    Django's ``escape`` calls."""

    def __init__(self, ticket: Ticket) -> None:
        self.attachment_url = _url_names(type(ticket))["attachment"]
        self.number = ticket.number
        self.timezone = timezone.get_current_timezone()
        self.types = {value: html.escape(str(label)) for value, label in WorkInfoType.choices}
        self.attention = {
            value: self.badge("warning", label) for value, label in RequiresAttention.choices
        }
        self.public = self.badge("info", ViewAccess.PUBLIC.label)
        self.system = html.escape(_("System"))

    @staticmethod
    def badge(colour: str, label) -> str:
        return f'<span class="badge text-bg-{colour}">{html.escape(str(label))}</span>'

    def _attention(self, value: str) -> str:
        if not value:
            return ""
        return self.attention.get(value) or self.badge("warning", value)

    def entry(self, entry: WorkInfo) -> HistoryEntry:
        files = [
            (
                PurePath(f.name).name,
                reverse(self.attachment_url, args=[self.number, entry.pk, index]),
            )
            for index, f in entry.attachments
        ]
        author = entry.author
        if author is None:
            author_text = self.system
        else:
            author_text = html.escape(author.get_full_name() or author.get_username())
        notes = html.escape(entry.notes.replace("\r\n", "\n").replace("\r", "\n"))
        links = ""
        if files:
            items = "".join(
                f'\n      <li class="list-inline-item"><a href="{html.escape(url)}" download>'
                f"{html.escape(name)}</a></li>"
                for name, url in files
            )
            links = f'<ul class="list-inline small mb-0 mt-1">{items}</ul>'
        markup = (
            '\n  <li class="border-bottom py-2">'
            '\n    <div class="d-flex flex-wrap gap-2 small text-body-secondary">'
            f'\n      <span class="badge text-bg-light border">'
            f"{self.types.get(entry.type) or html.escape(entry.type)}</span>"
            f"\n      <span>{author_text}</span>"
            f"\n      <span>{entry.created_at.astimezone(self.timezone):%d/%m/%Y %H:%M}</span>"
            f"\n      {self._attention(entry.requires_attention)}"
            f"\n      {self.public if entry.view_access == ViewAccess.PUBLIC else ''}"
            "\n    </div>"
            f'\n    <div class="mt-1">{notes.replace(chr(10), "<br>")}</div>'
            f"\n    {links}"
            "\n  </li>"
        )
        return HistoryEntry(entry, files, mark_safe(markup))  # noqa: S308 - every value escaped


def _history(ticket: Ticket) -> list[HistoryEntry]:
    entries = ticket.work_info.select_related("author").order_by("-created_at", "-pk")
    markup = _HistoryMarkup(ticket)
    return [markup.entry(entry) for entry in entries]


def _relation_hits(ticket: Ticket, query: str) -> list[tuple[Ticket, str]]:
    numbers = [n for n in ticket_numbers_from_text(query) if n != ticket.number]
    hits = []
    for model in ticket_models():
        wanted = [n for n in numbers if n.startswith(model.PREFIX)]
        if wanted:
            found = model.objects.filter(number__in=wanted).select_related("customer")
            hits.extend((other, ticket_url(other)) for other in found)
    return hits


def _render_ticket_page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    forms: dict | None = None,
    stale: dict | None = None,
    open_panel: str = "",
    relation_query: str | None = None,
) -> HttpResponse:
    model = type(ticket)
    page_forms = {}
    if not ticket.is_closed:
        page_forms = {**_action_forms(ticket, request.user), **(forms or {})}
        _wire(page_forms["edit"], model)
    if relation_query is None:
        relation_query = request.GET.get("relation_q", "").strip()
    context = {
        "model": model,
        "ticket": ticket,
        "url_names": _url_names(model),
        "forms": page_forms,
        "history": _history(ticket),
        "relations": [
            (relation, other, ticket_url(other)) for relation, other in ticket_relations(ticket)
        ],
        "open_tickets": _open_tickets_with_urls(ticket.customer, exclude=ticket),
        "preview": {"fields": ticket, "template": ticket.template},
        "escalation_guidance": ESCALATION_GUIDANCE,
        "stale": stale,
        "open_panel": open_panel,
        "relation_query": relation_query,
        "relation_hits": _relation_hits(ticket, relation_query) if relation_query else None,
        "is_pending": ticket.status == Status.PENDING,
    }
    if "work_info" in page_forms:
        work_info_form = page_forms["work_info"]
        context["files_to_attach_again"] = work_info_form.files_to_attach_again()
        context["work_info_attachment_fields"] = [work_info_form[n] for n in ATTACHMENT_FIELDS]
    return render(request, "itsm/ticket_detail.html", context)


@agent_required
@require_GET
def ticket_detail(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    ticket = _load(request, model, number)
    open_panel = "relations" if request.GET.get("relation_q") else ""
    return _render_ticket_page(request, ticket, open_panel=open_panel)


def _closed_refusal(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    messages.error(
        request,
        _("%(number)s is closed and can no longer be changed.") % {"number": ticket.number},
    )
    return redirect(ticket_url(ticket))


def _stale_context(form: VersionedForm, error: StaleTicketError) -> dict:
    current = error.current
    changed = form.fields_changed_since_seen(current)
    if changed is None:
        changed = error.changed_fields
    labels = []
    for name in changed:
        field = current._meta.get_field(name)
        value = getattr(current, f"get_{name}_display", None)
        shown = value() if value else getattr(current, name)
        label = current.GROUP_LABEL if name == "assigned_group" else field.verbose_name
        labels.append((str(label).capitalize(), shown if shown not in (None, "") else "—"))
    who = current.updated_by.get_full_name() or current.updated_by.get_username()
    return {"message": str(error), "who": who, "changes": labels}


@agent_required
@require_POST
def ticket_edit(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    ticket = _load(request, model, number)
    if ticket.is_closed:
        return _closed_refusal(request, ticket)
    form = TicketEditForm(request.POST, model=model, user=request.user, ticket=ticket)
    if form.is_valid():
        try:
            ticket_update(
                ticket=ticket,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"].strip(),
                **form.changes(),
            )
        except StaleTicketError as error:
            current = _load(request, model, number)
            return _render_ticket_page(
                request,
                current,
                forms={"edit": form.rebased(current)},
                stale=_stale_context(form, error),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("%(number)s saved") % {"number": ticket.number})
            return redirect(ticket_url(ticket))
    ticket = _load(request, model, number)
    return _render_ticket_page(request, ticket, forms={"edit": form})


def _quick_action(
    request: HttpRequest,
    model: type[Ticket],
    number: str,
    *,
    key: str,
    form_class: type[Form],
    action,
    done: str,
    form_kwargs: dict | None = None,
) -> HttpResponse:
    """A quick action: one form, one service call, back to the ticket page."""
    ticket = _load(request, model, number)
    if ticket.is_closed:
        return _closed_refusal(request, ticket)
    form = form_class(request.POST, prefix=ACTION_PREFIXES[key], **(form_kwargs or {}))
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        data.pop("seen")
        try:
            action(ticket=ticket, user=request.user, expected_version=version, **data)
        except StaleTicketError as error:
            # Keep what the agent typed (a reason, an escalation note), now
            # based on the current version, and say who changed the ticket.
            current = _load(request, model, number)
            rebased = form_class(
                form.rebased_data(current), prefix=ACTION_PREFIXES[key], **(form_kwargs or {})
            )
            return _render_ticket_page(
                request,
                current,
                forms={key: rebased},
                stale=_stale_context(form, error),
                open_panel=key,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, done % {"number": ticket.number})
            return redirect(ticket_url(ticket))
    ticket = _load(request, model, number)
    return _render_ticket_page(request, ticket, forms={key: form}, open_panel=key)


@agent_required
@require_POST
def ticket_assign(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    return _quick_action(
        request,
        model,
        number,
        key="assign",
        form_class=AssignToMeForm,
        action=ticket_assign_to_me,
        done=_("%(number)s is now assigned to you"),
    )


@agent_required
@require_POST
def ticket_pending(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    return _quick_action(
        request,
        model,
        number,
        key="pending",
        form_class=PendingForm,
        form_kwargs={"model": model},
        action=ticket_set_pending,
        done=_("%(number)s is pending"),
    )


@agent_required
@require_POST
def ticket_resolve_view(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    return _quick_action(
        request,
        model,
        number,
        key="resolve",
        form_class=ResolveForm,
        form_kwargs={"model": model},
        action=ticket_resolve,
        done=_("%(number)s resolved")
        if model.RESOLVED_STATUS == Status.RESOLVED
        else _("%(number)s completed"),
    )


@agent_required
@require_POST
def ticket_reopen_view(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    return _quick_action(
        request,
        model,
        number,
        key="reopen",
        form_class=ReopenForm,
        action=ticket_reopen,
        done=_("%(number)s reopened"),
    )


@agent_required
@require_POST
def ticket_escalate_view(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    return _quick_action(
        request,
        model,
        number,
        key="escalate",
        form_class=EscalateForm,
        action=ticket_escalate,
        done=_("%(number)s escalated to coordination"),
    )


# --- work info and attachments --------------------------------------------------------


@agent_required
@require_POST
def work_info_create(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    ticket = _load(request, model, number)
    if ticket.is_closed:
        return _closed_refusal(request, ticket)
    form = WorkInfoForm(request.POST, request.FILES, prefix=ACTION_PREFIXES["work_info"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            work_info_add(
                ticket=ticket,
                user=request.user,
                notes=data["notes"],
                entry_type=data["type"],
                attachments=form.attachments(),
                requires_attention=data["requires_attention"],
                view_access=data["view_access"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Work info added to %(number)s") % {"number": number})
            return redirect(ticket_url(ticket))
    return _render_ticket_page(request, ticket, forms={"work_info": form}, open_panel="work_info")


@agent_required
@require_GET
def attachment_download(
    request: HttpRequest, model: type[Ticket], number: str, entry_id: int, index: int
) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, model, number)
    if not 1 <= index <= len(ATTACHMENT_FIELDS):
        raise Http404(_("There is no such file."))
    entry = ticket.work_info.filter(pk=entry_id).first()
    field_file = getattr(entry, f"attachment_{index}", None) if entry else None
    if not field_file:
        raise Http404(_("There is no such file."))
    return attachment_response(field_file)


# --- relations ---------------------------------------------------------------------


@agent_required
@require_GET
def relation_search(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    """htmx: the ticket an agent typed in the relations box, before linking it."""
    ticket = get_ticket_for_user(request.user, model, number)
    query = request.GET.get("relation_q", "").strip()
    return render(
        request,
        "itsm/snippets/ticket_relation_hits.html",
        {
            "ticket": ticket,
            "url_names": _url_names(model),
            "relation_query": query,
            "relation_hits": _relation_hits(ticket, query) if query else None,
            "relation_form": RelationForm(prefix=ACTION_PREFIXES["relation"]),
        },
    )


@agent_required
@require_POST
def relation_add(request: HttpRequest, model: type[Ticket], number: str) -> HttpResponse:
    ticket = _load(request, model, number)
    if ticket.is_closed:
        return _closed_refusal(request, ticket)
    form = RelationForm(request.POST, prefix=ACTION_PREFIXES["relation"])
    if form.is_valid():
        try:
            relation = ticket_relate(
                ticket=ticket,
                user=request.user,
                other_number=form.cleaned_data["other_number"],
                relation_type=form.cleaned_data["relation_type"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(number)s related to %(other)s")
                % {"number": ticket.number, "other": relation.target_number},
            )
            return redirect(ticket_url(ticket) + "#relations")
    return _render_ticket_page(
        request,
        ticket,
        forms={"relation": form},
        open_panel="relations",
        relation_query=form.data.get(form.add_prefix("other_number"), "").strip(),
    )


@agent_required
@require_POST
def relation_remove(
    request: HttpRequest, model: type[Ticket], number: str, relation_id: int
) -> HttpResponse:
    ticket = get_ticket_for_user(request.user, model, number)
    if ticket.is_closed:
        return _closed_refusal(request, ticket)
    relation = (
        Relation.objects.filter(pk=relation_id)
        .filter(Q(source_number=ticket.number) | Q(target_number=ticket.number))
        .first()
    )
    if relation is None:
        raise Http404(_("This relation does not exist."))
    other = relation.other_number(ticket.number)
    ticket_unrelate(relation=relation, user=request.user)
    messages.success(
        request,
        _("Relation between %(number)s and %(other)s removed")
        % {"number": ticket.number, "other": other},
    )
    return redirect(ticket_url(ticket) + "#relations")
