"""The fields and widgets the ticket, action and mail forms share: a ticket
number written as in the search box, long texts with their limit, files
(private links, size limit, uploads held while a form comes back)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from itsm.attachments import validate_attachment
from itsm.kinds import number_examples
from itsm.models import MAX_ATTACHMENTS, HeldUpload
from itsm.selectors import ticket_numbers

ATTACHMENT_FIELDS = tuple(f"attachment_{index}" for index in range(1, MAX_ATTACHMENTS + 1))


def ticket_numbers_from_text(text: str) -> list[str]:
    """The ticket numbers an agent may mean by ``text`` (``inc 1234``, ``wo
    1234``, a full number; bare digits give one per kind), as the magnifier
    reads them."""
    return [number for _kind, number in ticket_numbers(text)]


class TicketNumberField(forms.CharField):
    """One ticket, written as in the search box (``inc 1234``) or whole;
    cleans to its full number. ``help`` and ``invalid`` say
    ``%(examples)s``, the registered kinds' prefixes, known once the apps are
    ready: filled in when shown."""

    def __init__(self, *, help: str, invalid: str, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", lazy(lambda: help % {"examples": number_examples()}, str)())
        super().__init__(**kwargs)
        self.invalid = invalid

    def clean(self, value) -> str:
        numbers = ticket_numbers_from_text(super().clean(value))
        if len(numbers) != 1:
            raise ValidationError(self.invalid % {"examples": number_examples()})
        return numbers[0]


class _LinkedFile:
    """What ClearableFileInput's template shows for a stored file: its name
    and a URL, here the access-checked download view's."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return self.name


class PrivateFileInput(forms.ClearableFileInput):
    """A file input for a private file: the current file links to the view
    named ``url_name`` (given the object's pk), never to the storage."""

    def __init__(self, *, url_name: str, attrs=None) -> None:
        super().__init__(attrs)
        self.url_name = url_name

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "instance", None) is not None and value.name)

    def format_value(self, value):
        if self.is_initial(value):
            return _LinkedFile(
                value.name.rsplit("/", 1)[-1], reverse(self.url_name, args=[value.instance.pk])
            )
        return None


class _ToldLimit:
    """A widget that tells the page a limit of the server (the setting
    ``limit_setting``, as ``data-<attr>``) and the words to warn or refuse
    with (``data-<attr>-message``), so the page says it before posting."""

    limit_setting: str
    attr: str

    def limit_message(self, limit: int) -> str:
        raise NotImplementedError

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = getattr(settings, self.limit_setting)
        context["widget"]["attrs"][f"data-{self.attr}"] = limit
        context["widget"]["attrs"][f"data-{self.attr}-message"] = self.limit_message(limit)
        return context


class LongTextarea(_ToldLimit, forms.Textarea):
    """A textarea that tells the page the longest text the server takes, for
    a counter that warns: never ``maxlength``, which cuts a paste silently."""

    limit_setting = "ITSM_MAX_TEXT_LENGTH"
    attr = "max-length"

    def limit_message(self, limit: int) -> str:
        # The counter's words, with {length} for the page to fill in.
        return _("{length} characters and the maximum is %(limit)s: shorten it before saving.") % {
            "limit": number_format(limit, force_grouping=True)
        }


class LongTextField(forms.CharField):
    """What a person writes into the journal or to a customer: up to
    ``ITSM_MAX_TEXT_LENGTH`` characters (read when validating, so a test or a
    deployment can change it); longer is refused and the text comes back."""

    widget = LongTextarea

    def validate(self, value) -> None:
        super().validate(value)
        limit = settings.ITSM_MAX_TEXT_LENGTH
        # Browsers post line breaks as CRLF; count them as the page's counter does.
        length = len(value.replace("\r\n", "\n")) if value else 0
        if length > limit:
            raise ValidationError(
                _(
                    "This text has %(length)s characters and the maximum is %(limit)s. "
                    "Shorten it or attach it as a file: nothing has been saved yet."
                ),
                code="text_too_long",
                params={
                    "length": number_format(length, force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                },
            )


class AttachmentInput(_ToldLimit, forms.ClearableFileInput):
    """A file input that tells the page the server's size limit, so a file
    too big is refused before it is sent."""

    limit_setting = "ITSM_ATTACHMENT_MAX_BYTES"
    attr = "max-bytes"

    def limit_message(self, limit: int) -> str:
        # The refusal's words, with {name} and {size} for the page to fill in.
        return _(
            "“{name}” is {size} and the limit is %(limit)s: it has not been attached. "
            "Choose a smaller file."
        ) % {"limit": filesizeformat(limit)}


class AttachmentField(forms.FileField):
    """An optional attachment checked by size and content."""

    widget = AttachmentInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if value:
            validate_attachment(value)


class AttachmentsMixin:
    """Up to three files. The browser drops the files of a form that comes
    back with errors, so the valid ones are held on the server
    (``itsm.services.uploads``) and the page sends their tokens
    (``held_attachment_<n>``) instead; ``use_held_uploads`` puts them back in
    the slots the agent left empty, where they are validated again.
    ``held_file_fields`` names the file fields (the three attachments unless
    a form says otherwise)."""

    held: dict
    held_file_fields: tuple[str, ...] = ATTACHMENT_FIELDS

    def held_field_name(self, name: str) -> str:
        return self.add_prefix(f"held_{name}")

    def use_held_uploads(self, user) -> None:
        self.held = {}
        if not self.is_bound:
            return
        tokens = {
            name: self.data.get(self.held_field_name(name), "") for name in self.held_file_fields
        }
        wanted = [token for token in tokens.values() if token]
        if not wanted:
            return
        found = {h.token: h for h in HeldUpload.objects.filter(user=user, token__in=wanted)}
        files = self.files.copy()
        for name, token in tokens.items():
            held = found.get(token)
            key = self.add_prefix(name)
            if held is None or files.get(key):
                continue  # unknown, someone else's, or replaced by a new file
            try:
                held.file.open("rb")
            except FileNotFoundError:
                continue
            files[key] = UploadedFile(file=held.file.file, name=held.name, size=held.file.size)
            self.held[name] = held
        self.files = files

    def attachments(self) -> list:
        return [
            self.cleaned_data[name] for name in ATTACHMENT_FIELDS if self.cleaned_data.get(name)
        ]

    def uploads_to_hold(self) -> dict:
        """The valid files of a posted form that is shown again (it came back
        with errors, or was refused as stale), by field name."""
        if not self.is_bound:
            return {}
        return {
            name: self.files[self.add_prefix(name)]
            for name in self.held_file_fields
            if self.files.get(self.add_prefix(name)) and name not in self.errors
        }
