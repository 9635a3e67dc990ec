"""Attachments: checked by size and by content (not by the name the browser
sends), stored privately, served as downloads (raster images may be shown in a page)."""

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


# Raster images a browser shows as a picture and nothing else, by the bytes
# that open them. SVG is not one (it is a document that can hold script).
RASTER_IMAGES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


def raster_image_type(head: bytes) -> str | None:
    """The type of the raster image ``head`` (a file's first bytes) opens, or None."""
    for signature, content_type in RASTER_IMAGES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def file_response(field_file: FieldFile, *, name: str = "", inline: bool = False) -> FileResponse:
    """The one way the desk serves a stored file. Shown in the page (when
    ``inline`` is asked for) only if its bytes are a raster image, and then
    with the type that was checked; anything else, whatever its name or the
    type it was declared with, is a download the browser never renders: an
    HTML page or an SVG named ``.png`` would otherwise run on the desk's own
    address."""
    handle = field_file.open("rb")
    image_type = None
    if inline:
        image_type = raster_image_type(handle.read(16))
        handle.seek(0)
    if image_type is not None:
        response = FileResponse(handle, content_type=image_type)
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, max-age=3600"
    else:
        name = clean_file_name(name or PurePath(field_file.name).name) or "adjunto"
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type="application/octet-stream"
        )
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it anyway, nothing in it runs or loads.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
