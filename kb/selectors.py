"""What the knowledge base reads: the suggestions for a ticket being typed,
and how many tickets each article helped resolve."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from itsm.kinds import all_kinds
from itsm.models import Status
from itsm.suggestions import CustomerContent
from kb.models import MAX_ID, READABLE_STATUSES, Article, ArticleLink, ArticleStatus
from kb.permissions import articles_for
from kb.text import stems

SHOWN = 3
# A ticket counts as helped once it is resolved (or completed) or closed
# after that.
HELPED_STATUSES = (Status.RESOLVED, Status.COMPLETED, Status.CLOSED)

# How much each match weighs: the template the agent picked says most, the
# categorisation next, then the words typed (a keyword most, the title
# next, the body least).
TEMPLATE_WEIGHT = 12.0
TIER_WEIGHT = 3.0
KEYWORD_WEIGHT = 4.0
TITLE_WEIGHT = 3.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class TicketDraft:
    """What the agent has typed so far."""

    template_id: int | None = None
    operational_tier_1: str = ""
    operational_tier_2: str = ""
    product_tier_1: str = ""
    product_tier_2: str = ""
    text: str = ""


# Each article's title and stems (keywords, title, body), kept per process
# and worked out again when the article is saved (its ``updated_at`` moves):
# stemming every body on every keystroke would cost more than the request.
_STEMS: dict[int, tuple[datetime, str, tuple[set[str], set[str], set[str]]]] = {}
TIERS = ("operational_tier_1", "operational_tier_2", "product_tier_1", "product_tier_2")


def _stems_of(changed: dict[int, datetime]) -> None:
    """Fills the cache for the articles saved since it last read them: one
    query for all of them."""
    if not changed:
        return
    for pk, title, keywords, body in Article.objects.filter(pk__in=list(changed)).values_list(
        "pk", "title", "keywords", "body"
    ):
        _STEMS[pk] = (changed[pk], title, (stems(keywords), stems(title), stems(body)))


def _score(
    article_stems: tuple[set[str], set[str], set[str]],
    tiers: tuple[str, ...],
    template_ids: set[int],
    draft: TicketDraft,
    words: set[str],
) -> float:
    score = 0.0
    if draft.template_id is not None and draft.template_id in template_ids:
        score += TEMPLATE_WEIGHT
    for name, value in zip(TIERS, tiers, strict=True):
        wanted = getattr(draft, name).strip().lower()
        if wanted and value.strip().lower() == wanted:
            score += TIER_WEIGHT
    if words:
        keywords, title, body = article_stems
        score += KEYWORD_WEIGHT * len(words & keywords) + TITLE_WEIGHT * len(words & title)
        score += BODY_WEIGHT * len(words & body)
    return score


def suggestions(draft: TicketDraft, *, shown: int = SHOWN) -> list[Article]:
    """The ``shown`` readable articles that best answer ``draft``: none when
    nothing in it matches any article. Three queries: the articles' dates and
    tiers, their templates, the winners (and the saved ones' text)."""
    words = stems(draft.text)
    if draft.template_id is None and not words and not any(getattr(draft, t) for t in TIERS):
        return []
    rows = list(
        Article.objects.filter(status__in=READABLE_STATUSES).values_list("pk", "updated_at", *TIERS)
    )
    _stems_of(
        {
            pk: updated_at
            for pk, updated_at, *_tiers in rows
            if pk not in _STEMS or _STEMS[pk][0] != updated_at
        }
    )
    templates: dict[int, set[int]] = defaultdict(set)
    for article_id, template_id in Article.templates.through.objects.filter(
        article__status__in=READABLE_STATUSES
    ).values_list("article_id", "tickettemplate_id"):
        templates[article_id].add(template_id)
    scored = []
    for pk, _updated_at, *tiers in rows:
        _saved, title, article_stems = _STEMS[pk]
        score = _score(article_stems, tuple(tiers), templates[pk], draft, words)
        if score > 0:
            scored.append((-score, title, pk))
    winners = [pk for _score_value, _title, pk in sorted(scored)[:shown]]
    found = Article.objects.in_bulk(winners)
    return [found[pk] for pk in winners if pk in found]


def helped_resolve_counts(article_ids: Iterable[int]) -> dict[int, int]:
    """For each article, how many of its linked tickets are resolved or
    closed: a query per kind, whatever the number of articles."""
    ids = list(article_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    links = ArticleLink.objects.filter(article_id__in=ids).values_list(
        "article_id", "ticket_kind", "ticket_number"
    )
    by_kind: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for article_id, kind_code, number in links:
        by_kind[kind_code].append((article_id, number))
    for kind in all_kinds():
        pairs = by_kind.get(kind.code)
        if not pairs:
            continue
        helped = set(
            kind.model.objects.filter(
                number__in={number for _id, number in pairs}, status__in=HELPED_STATUSES
            ).values_list("number", flat=True)
        )
        for article_id, number in pairs:
            if number in helped:
                counts[article_id] += 1
    return counts


def rating_counts(article: Article) -> dict[str, int]:
    return article.ratings.aggregate(
        yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
    )


def customer_content(reference: str, user) -> CustomerContent | None:
    """A published article as the customer receives it: its title and body
    as written (Markdown reads as plain text) and its standard documents;
    None for anything else: an internal article or a draft never reaches a
    customer."""
    if not reference.isdigit() or int(reference) > MAX_ID:
        return None
    article = (
        articles_for(user)
        .filter(pk=int(reference), status=ArticleStatus.PUBLISHED)
        .prefetch_related("documents")
        .only("title", "body")
        .first()
    )
    if article is None:
        return None
    documents = sorted(article.documents.all(), key=lambda document: document.pk)
    return CustomerContent(
        text=f"{article.title}\n\n{article.body}",
        documents=tuple((document.name, document.file) for document in documents),
    )
