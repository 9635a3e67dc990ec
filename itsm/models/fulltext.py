"""The full-text index: one row per searchable text (a ticket's summary and
description, a journal note, a mail, an article), written by
``itsm.fulltext`` in the transaction that writes the text.

The searchable column is the database's own: on PostgreSQL a generated
``tsvector`` (``document``, configuration ``es_unaccent``) under a GIN index;
on SQLite an FTS5 table over ``stems`` (the Snowball stems ``itsm.common.fulltext``
computes), kept by triggers. Both are created by the migration
``0014_full_text_index``, outside the model."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The SQLite FTS5 table (external content: this model's ``stems``).
SQLITE_FTS_TABLE = "itsm_textindexentry_fts"
# PostgreSQL's text search configuration: Spanish stems of unaccented words.
POSTGRES_CONFIG = "es_unaccent"


class TextIndexEntry(models.Model):
    # The registered source (``itsm.fulltext.register_source``): "ticket",
    # "work_info", "mail_received", "mail_sent", "article"…
    source = models.CharField(_("source"), max_length=32)
    # The object within its source (a ticket number, "INC-42" for an entry…).
    key = models.CharField(_("key"), max_length=64)
    # The ticket the text belongs to, by number (unique across kinds), if any.
    ticket_number = models.CharField(_("ticket"), max_length=15, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))
    text = models.TextField(_("text"))
    # SQLite only: what its FTS5 table indexes. Empty on PostgreSQL, which
    # computes its tsvector from ``text``.
    stems = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("text index entry")
        verbose_name_plural = _("text index entries")
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="itsm_textindex_source_key_uniq")
        ]
        indexes = [
            # Hits newest first, and a ticket's entries.
            models.Index(fields=["updated_at", "id"], name="itsm_textindex_updated_idx"),
            models.Index(fields=["ticket_number"], name="itsm_textindex_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"
