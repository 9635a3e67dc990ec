"""The knowledge base: articles that answer what the desk is asked, each
revision kept, rated by agents and linked to the tickets they helped with."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.common.fields import created_field, status_field
from itsm.common.rows import NamedRow, status_in
from itsm.models import TicketTemplate
from itsm.storage import private_storage

# The largest id a database column of the desk holds (a 32-bit key).
MAX_ID = 2**31 - 1


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Agents only: never carried into what a customer receives.
    INTERNAL = "internal", _("Internal")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# What agents read and the suggestions offer.
READABLE_STATUSES = (ArticleStatus.INTERNAL, ArticleStatus.PUBLISHED)


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Markdown."))
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    templates = models.ManyToManyField(
        TicketTemplate, verbose_name=_("templates"), blank=True, related_name="+"
    )
    # The categorisation it answers, as on tickets; blank tiers match any.
    operational_tier_1 = models.CharField(_("operational tier 1"), max_length=60, blank=True)
    operational_tier_2 = models.CharField(_("operational tier 2"), max_length=60, blank=True)
    product_tier_1 = models.CharField(_("product tier 1"), max_length=60, blank=True)
    product_tier_2 = models.CharField(_("product tier 2"), max_length=60, blank=True)
    status = status_field(ArticleStatus, max_length=10, default=ArticleStatus.DRAFT)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = created_field(auto=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["status", "title"], name="kb_article_status_idx")]

    def __str__(self) -> str:
        return self.title

    is_internal = status_in(ArticleStatus.INTERNAL)
    may_reach_customers = status_in(ArticleStatus.PUBLISHED)


class ArticleRevision(models.Model):
    """What an article said after one save, with who saved it and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    status = status_field(ArticleStatus, max_length=10)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.number}"


def document_path(instance: "ArticleDocument", filename: str) -> str:
    return f"kb/{instance.article_id}/{filename}"


class ArticleDocument(NamedRow):
    """A standard document the article carries (the LOPD form, the
    *cuadro de vinculación*…), sent with it to a customer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("name"), max_length=150)
    # Outside the web root, served only through the views (file_response).
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_path, max_length=300
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["name", "id"]


class ArticleRating(models.Model):
    """*¿Te ha servido?*: one answer per agent, which they may change."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField(_("helpful"))
    rated_at = models.DateTimeField(_("rated"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="kb_rating_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class ArticleLink(models.Model):
    """An article linked to a ticket (its kind's code and number: the kinds
    are above the core and each has its own table)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    ticket_kind = models.CharField(_("kind"), max_length=4)
    ticket_number = models.CharField(_("ticket"), max_length=20)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "ticket_kind", "ticket_number"], name="kb_link_once_per_ticket"
            )
        ]
        indexes = [models.Index(fields=["ticket_kind", "ticket_number"], name="kb_link_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_number}"
