"""Writing, rating and linking articles: every save keeps a revision, a
link is journaled on the ticket."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from itsm import journal_events as events
from itsm.common.permissions import require_agent
from itsm.models import Ticket, WorkInfoType
from itsm.services.journal import journal_event
from itsm.services.rules import check_open
from kb.fulltext import index_article
from kb.models import MAX_ID, Article, ArticleDocument, ArticleLink, ArticleRating, ArticleRevision
from kb.permissions import linkable_articles_for, require_writer

REVISED_FIELDS = ("title", "body", "keywords", "status")


@transaction.atomic
def article_save(
    article: Article, *, user, templates=None, documents: Sequence[UploadedFile] = ()
) -> ArticleRevision:
    """Saves ``article`` (new or changed) by ``user`` and keeps what it now
    says as its next revision; ``documents`` are added to it."""
    require_writer(user)
    if article.pk is None:
        article.author = user
    article.save()
    if templates is not None:
        article.templates.set(templates)
    for upload in documents:
        ArticleDocument.objects.create(article=article, name=upload.name[:150], file=upload)
    # Locks the article's row: two saves at once get consecutive numbers.
    Article.objects.select_for_update().filter(pk=article.pk).first()
    index_article(article)
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        author=user,
        **{name: getattr(article, name) for name in REVISED_FIELDS},
    )


def article_rate(article: Article, *, user, helpful: bool) -> ArticleRating:
    require_agent(user)
    rating, _created = ArticleRating.objects.update_or_create(
        article=article, user=user, defaults={"helpful": helpful}
    )
    return rating


@transaction.atomic
def article_link(article: Article, *, ticket: Ticket, user) -> tuple[ArticleLink, bool]:
    """Links ``article`` to ``ticket`` once, and says so in its journal;
    linking again changes nothing."""
    require_agent(user)
    check_open(ticket)
    link, created = ArticleLink.objects.get_or_create(
        article=article,
        ticket_kind=ticket.KIND,
        ticket_number=ticket.number,
        defaults={"linked_by": user},
    )
    if created:
        journal_event(
            ticket,
            author=user,
            type=WorkInfoType.GENERAL,
            event=events.ARTICLE_LINKED,
            data={"article": article.pk, "title": article.title},
        )
    return link, created


# The field the suggestions panel adds to a new-ticket form, one value per
# article chosen with *Vincular* before the ticket exists.
CHOSEN_FIELD = "kb_article"
# More than this many chosen articles is not an agent choosing.
MAX_CHOSEN = 10


def chosen_article_ids(values: Sequence[str]) -> list[int]:
    """The distinct article ids among ``values``, in order, at most
    ``MAX_CHOSEN``; anything else is ignored."""
    ids: dict[int, None] = {}
    for value in values:
        if value.isdigit() and int(value) <= MAX_ID:
            ids.setdefault(int(value), None)
    return list(ids)[:MAX_CHOSEN]


@transaction.atomic
def articles_link_chosen(*, ticket: Ticket, values: Sequence[str], user) -> list[ArticleLink]:
    """Links the articles chosen on the new-ticket form to the ticket just
    created from it, each journaled as ``article_link`` does; one the user may
    no longer link (a draft now, removed) is left out."""
    ids = chosen_article_ids(values)
    found = linkable_articles_for(user).in_bulk(ids)
    return [article_link(found[pk], ticket=ticket, user=user)[0] for pk in ids if pk in found]
