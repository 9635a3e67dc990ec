"""The knowledge base's pages: the list and search, an article with its
revisions, the editor, and the suggestions panel of the ticket pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itsm import fulltext
from itsm.attachments import file_response
from itsm.common.access import agent_required
from itsm.kinds import kind_for_number
from itsm.models import TicketTemplate
from kb.forms import MAX_ID, ArticleForm
from kb.fulltext import ARTICLE
from kb.models import Article, ArticleDocument, ArticleRating, ArticleStatus
from kb.permissions import articles_for, can_write, linkable_articles_for, require_writer
from kb.rendering import render_markdown, revision_diff
from kb.selectors import TicketDraft, helped_resolve_counts, rating_counts, suggestions
from kb.services.articles import (
    CHOSEN_FIELD,
    article_link,
    article_rate,
    article_save,
    chosen_article_ids,
)


def _article_for(request: HttpRequest, pk: int) -> Article:
    return get_object_or_404(articles_for(request.user), pk=pk)


@agent_required
@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    articles = articles_for(request.user).prefetch_related("templates")
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    template = request.GET.get("template", "")
    if status in ArticleStatus.values:
        articles = articles.filter(status=status)
    if template.isdigit() and int(template) <= MAX_ID:
        articles = articles.filter(templates=int(template))
    if query:
        # Title, keywords and body through the full-text index: every word,
        # accent- and case-insensitive, by its Spanish stem.
        keys = fulltext.matching_entries(query, [ARTICLE]).values_list("key", flat=True)
        articles = articles.filter(pk__in=[int(key) for key in keys])
    rows = list(articles)
    helped = helped_resolve_counts(a.pk for a in rows)
    return render(
        request,
        "kb/list.html",
        {
            "rows": [(article, helped[article.pk]) for article in rows],
            "query": query,
            "status": status,
            "template": template,
            "statuses": ArticleStatus.choices,
            "templates": TicketTemplate.objects.filter(active=True).order_by("name"),
            "can_write": can_write(request.user),
        },
    )


@agent_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    mine = ArticleRating.objects.filter(article=article, user=request.user).first()
    return render(
        request,
        "kb/detail.html",
        {
            "article": article,
            "body": render_markdown(article.body),
            "documents": article.documents.all(),
            "revisions": article.revisions.select_related("author"),
            "helped": helped_resolve_counts([article.pk])[article.pk],
            "ratings": rating_counts(article),
            "my_rating": mine,
            "can_write": can_write(request.user),
        },
    )


@agent_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_writer(request.user)
    article = get_object_or_404(Article, pk=pk) if pk else Article()
    form = ArticleForm(request.POST or None, request.FILES or None, instance=article)
    if request.method == "POST" and form.is_valid():
        article = form.save(commit=False)
        document = form.cleaned_data.get("document")
        article_save(
            article,
            user=request.user,
            templates=form.cleaned_data["templates"],
            documents=[document] if document else [],
        )
        return redirect("kb:detail", pk=article.pk)
    return render(request, "kb/edit.html", {"form": form, "article": article})


@agent_required
@require_POST
def article_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    article_rate(article, user=request.user, helpful=request.POST.get("helpful") == "yes")
    return redirect("kb:detail", pk=article.pk)


@agent_required
@require_GET
def article_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = _article_for(request, pk)
    revision = get_object_or_404(article.revisions.select_related("author"), number=number)
    return render(
        request,
        "kb/revision.html",
        {
            "article": article,
            "revision": revision,
            "body": render_markdown(revision.body),
            "same": revision.body == article.body,
            "diff": revision_diff(
                revision.body,
                article.body,
                old_label=_("Revision %(number)d") % {"number": revision.number},
                new_label=_("Current"),
            ),
        },
    )


@agent_required
@require_GET
def article_document(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(ArticleDocument.objects.select_related("article"), pk=pk)
    if not articles_for(request.user).filter(pk=document.article_id).exists():
        raise Http404
    return file_response(document.file, name=document.name)


def _draft(request: HttpRequest, ticket=None) -> TicketDraft:
    """What the form holds; on a ticket's page (only its note is typed there)
    the ticket's own template, categorisation and summary too."""
    data = request.GET
    template = data.get("template", "")
    typed = " ".join(
        data.get(name, "")[:2000] for name in ("summary", "description", "work_info_notes", "notes")
    )
    if ticket is not None:
        return TicketDraft(
            template_id=ticket.template_id,
            operational_tier_1=ticket.operational_tier_1,
            operational_tier_2=ticket.operational_tier_2,
            product_tier_1=ticket.product_tier_1,
            product_tier_2=ticket.product_tier_2,
            text=f"{ticket.summary} {typed}",
        )
    return TicketDraft(
        template_id=int(template) if template.isdigit() and int(template) <= MAX_ID else None,
        operational_tier_1=data.get("operational_tier_1", ""),
        operational_tier_2=data.get("operational_tier_2", ""),
        product_tier_1=data.get("product_tier_1", ""),
        product_tier_2=data.get("product_tier_2", ""),
        text=typed,
    )


def _chosen(request: HttpRequest) -> list[Article]:
    """The articles chosen with *Vincular* on a form whose ticket does not
    exist yet: the form's own (``kb_article``), plus the one just chosen
    (``kb_choose``), minus the one just taken off (``kb_drop``)."""
    data = request.GET
    ids = chosen_article_ids([*data.getlist(CHOSEN_FIELD), data.get("kb_choose", "")])
    dropped = data.get("kb_drop", "")
    ids = [pk for pk in ids if str(pk) != dropped]
    found = linkable_articles_for(request.user).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@agent_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The panel beside the ticket form: the top articles for what has been
    typed; on a ticket's page (``ticket``) each can be linked to it, on the
    new-ticket page chosen to be linked once the ticket is created."""
    number = request.GET.get("ticket", "").strip().upper()
    ticket_kind = kind_for_number(number) if number else None
    ticket = ticket_kind.model.objects.filter(number=number).first() if ticket_kind else None
    found = suggestions(_draft(request, ticket))
    context = {"articles": found, "ticket_number": "", "email_url": "", "chosen": []}
    if ticket is not None:
        context["ticket_number"] = number
        context["email_url"] = reverse(ticket_kind.url_name("email"), args=[number])
    elif not number:
        context["chosen"] = _chosen(request)
        context["chosen_ids"] = {article.pk for article in context["chosen"]}
        context["chosen_field"] = CHOSEN_FIELD
    return render(request, "kb/snippets/suggestions.html", context)


@agent_required
@require_POST
def link(request: HttpRequest, pk: int, number: str) -> HttpResponse:
    article = get_object_or_404(linkable_articles_for(request.user), pk=pk)
    kind = kind_for_number(number)
    ticket = kind.model.objects.filter(number=number.upper()).first() if kind else None
    if ticket is None:
        raise Http404
    article_link(article, ticket=ticket, user=request.user)
    if request.headers.get("HX-Request"):
        return render(request, "kb/snippets/linked.html", {"article": article, "ticket": ticket})
    return redirect(kind.detail_url(ticket.number))
