"""Behaviour several apps' models share, as abstract bases (no table, no
column: what they give is methods)."""

from django.db import models
from django.urls import reverse


class AppendOnlyError(ValueError):
    """A change or deletion of a row that is written once."""


class AppendOnlyRow(models.Model):
    """A row written once and never changed: a record of what happened
    (a journal entry, a step of a request)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name_plural} are append-only.")
        super().save(*args, **kwargs)


class NamedRow(models.Model):
    """A row that people know by its ``name``: lists, choices and the admin
    show that."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class DetailPageRow(models.Model):
    """A row with a page of its own: ``detail_url_name`` names the view,
    which takes the row's key."""

    detail_url_name: str

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])


def status_in(*statuses: str) -> property:
    """A property true while the row's ``status`` is one of ``statuses``."""
    return property(lambda row: row.status in statuses)
