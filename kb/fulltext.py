"""The articles in the full-text index (``itsm.fulltext``): indexed in the
transaction that saves them; a hit is shown only to who may read the
article (drafts to their writers and those who write)."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from itsm.fulltext import REBUILD_BATCH, Row, Source, index_text, register_source
from kb.models import Article
from kb.permissions import articles_for

ARTICLE = "kb_article"


def article_text(article) -> str:
    return f"{article.title}\n{article.keywords}\n{article.body}"


def index_article(article) -> None:
    index_text(ARTICLE, str(article.pk), article_text(article), None, article.updated_at)


def _rows() -> Iterator[Row]:
    articles = Article.objects.only("title", "keywords", "body", "updated_at").order_by("pk")
    for article in articles.iterator(chunk_size=REBUILD_BATCH):
        yield Row(str(article.pk), article_text(article), article.updated_at)


def _visible(user, keys: set[str]) -> set[str]:
    ids = [int(key) for key in keys if key.isdigit()]
    return {str(pk) for pk in articles_for(user).filter(pk__in=ids).values_list("pk", flat=True)}


def register() -> None:
    register_source(Source(ARTICLE, _("Knowledge base article"), _rows, _visible))
