"""Attachments: checked by size and by content (not by the name the browser
sends), stored privately, served only as downloads."""

import mimetypes
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from itsm.common.text import clean_file_name, has_real_extension, single_line

# Magic numbers of the types agents exchange with users: documents, scans and
# screenshots. Office formats are ZIP (OOXML/ODF) or the old OLE container.
SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
]

EXTENSIONS = {
    "pdf": {".pdf"},
    "png": {".png"},
    "jpeg": {".jpg", ".jpeg"},
    "gif": {".gif"},
    "tiff": {".tif", ".tiff"},
    "zip": {".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"},
    "ole": {".doc", ".xls", ".ppt", ".msg"},
    "text": {".txt", ".csv", ".log", ".eml"},
}


def _sniff(head: bytes) -> str | None:
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    return "text" if b"\x00" not in head else None


def validate_file_name(name: str) -> str:
    """The cleaned name (see ``clean_file_name``), or a ValidationError when
    nothing usable is left or it has no real extension (``README``, ``...txt``):
    the type of a file is checked against its extension, so it must have one."""
    cleaned = clean_file_name(name)
    if not has_real_extension(cleaned):
        raise ValidationError(
            _("“%(name)s” has no file extension (such as .pdf or .txt); rename it and try again.")
            % {"name": cleaned or single_line(name)},
            code="attachment_no_extension",
        )
    return cleaned


def _size(value: int) -> str:
    return _("%(human)s (%(bytes)s bytes)") % {
        "human": filesizeformat(value),
        "bytes": number_format(value, force_grouping=True),
    }


def validate_attachment(upload: UploadedFile) -> None:
    """Raise a ValidationError (in the user's language) unless the file is
    within the size limit and its content is an allowed type matching its name.
    The upload keeps its cleaned name."""
    upload.name = validate_file_name(upload.name or "")
    limit = settings.ITSM_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        # In bytes too: 10,0 MB against 10,0 MB would hide a file one byte over.
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": upload.name, "size": _size(upload.size), "limit": _size(limit)},
            code="attachment_too_large",
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    kind = _sniff(head)
    extension = PurePath(upload.name or "").suffix.lower()
    if kind is None or extension not in EXTENSIONS.get(kind, set()):
        raise ValidationError(
            _(
                "“%(name)s” is not an allowed file type. Allowed: PDF, images (PNG, JPEG, GIF, "
                "TIFF), Office/OpenDocument documents, ZIP and plain text."
            )
            % {"name": upload.name},
            code="attachment_type",
        )
    if kind == "zip" and extension != ".zip":
        upload.seek(0)
        try:
            zipfile.ZipFile(upload).namelist()
        except zipfile.BadZipFile:
            raise ValidationError(
                _("“%(name)s” is damaged.") % {"name": upload.name}, code="attachment_damaged"
            ) from None
        finally:
            upload.seek(0)


def attachment_response(field_file: FieldFile, *, name: str = "") -> FileResponse:
    """A download of a stored attachment that the browser never renders inline."""
    name = clean_file_name(name or PurePath(field_file.name).name) or "adjunto"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
