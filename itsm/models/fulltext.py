"""The full-text index: one row per searchable text (a ticket's summary and
description, a journal note, a mail, an article), written by
``itsm.fulltext`` in the transaction that writes the text.

Both databases index ``stems``, the folded Snowball stems
``itsm.common.fulltext`` computes: PostgreSQL as a generated ``tsvector``
(``document``, configuration ``simple``) under a GIN index, SQLite in an FTS5
table kept by triggers. Both are created by the migration
``0014_full_text_index``, outside the model.

Why not PostgreSQL's own Spanish stemmer (``unaccent`` + ``spanish_stem``):
PostgreSQL 15's Snowball leaves an unaccented ``legalizacion`` whole while it
stems ``legalizar`` to ``legaliz``; the Python package stems both to
``legaliz``. Stemming once, in Python, is what makes both databases answer
every query alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The SQLite FTS5 table (external content: this model's ``stems``).
SQLITE_FTS_TABLE = "itsm_textindexentry_fts"
# PostgreSQL's text search configuration over the stems: they are already
# folded and stemmed, so it only splits them.
POSTGRES_CONFIG = "simple"


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
    # What both databases index: the Snowball stems of ``text``.
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
