"""Every string the user can see has a Spanish translation: the catalogues are
checked against what ``makemessages`` finds in the code and templates."""

import ast
import os
import re
import shutil
from pathlib import Path

from django.core.management import call_command
from django.utils import translation

from conftest import missing_service

# Strings that read the same in Spanish.
SAME_IN_SPANISH = {
    "CIF/NIF",
    "Colegio de Registradores de la Propiedad, Bienes Muebles y Mercantiles de España",
    "HTML",
    "E-mail",
    "FLEI",
    "Libros/Cuentas",
    "Web",
    "Message-ID",
    "%(kind)s %(number)s",
    "%(number)s",
    "Total",
    "OK",
    "%(human)s (%(bytes)s bytes)",
    "No",
    "ERROR 23",
    "Registro Mercantil",
    "Registros Mercantiles",
    "Cuadro de vinculación",
    "API",
    "Token",
    "URL",
    "Webhooks",
    "webhook-id",
    "error",
    "%(hours)d h %(minutes)d min",
    "%(minutes)d min %(seconds)d s",
    "%(seconds)d s",
}

# Where user-visible strings live.
SOURCES = (
    "itsm",
    "customers",
    "incidents",
    "workorders",
    "notifications",
    "api",
    "webhooks",
    "telephony",
    "kb",
    "templates",
)

ENTRY = re.compile(
    r'(?:msgctxt (?P<ctx>(?:".*"\s*)+))?msgid (?P<id>(?:".*"\s*)+)'
    r'(?:msgid_plural (?P<plural>(?:".*"\s*)+))?msgstr',
)


def _unquote(block: str | None) -> str | None:
    if block is None:
        return None
    return "".join(ast.literal_eval(line.strip()) for line in block.strip().splitlines())


def _collected_msgids(settings, tmp_path: Path) -> list[tuple[str | None, str, str | None]]:
    """What makemessages extracts from the project, written to a scratch
    catalogue: it runs in a folder of links to the code and templates, because
    run from the project it would write into the project's own catalogues. The
    apps' own ``locale`` folders are skipped for the same reason: makemessages
    writes the strings of an app that has one into it."""
    locale = tmp_path / "locale"
    locale.mkdir()
    sources = tmp_path / "src"
    sources.mkdir()
    for name in SOURCES:
        (sources / name).symlink_to(Path(settings.BASE_DIR) / name)
    project_locale_paths = list(settings.LOCALE_PATHS)
    settings.LOCALE_PATHS = [locale]
    os.chdir(sources)
    call_command(
        "makemessages",
        locale=["es"],
        symlinks=True,
        ignore_patterns=["tests", "__pycache__", "locale"],
        verbosity=0,
    )
    settings.LOCALE_PATHS = project_locale_paths
    text = (locale / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for match in ENTRY.finditer(text):
        msgid = _unquote(match["id"])
        if msgid:
            entries.append((_unquote(match["ctx"]), msgid, _unquote(match["plural"])))
    return entries


def test_every_user_visible_string_has_a_spanish_translation(settings, tmp_path, monkeypatch):
    if shutil.which("xgettext") is None:
        missing_service("GNU gettext (xgettext) is not installed")
    monkeypatch.chdir(tmp_path)
    entries = _collected_msgids(settings, tmp_path)
    assert len(entries) > 300  # the scan found the project's strings

    missing = []
    with translation.override("es"):
        for context, msgid, plural in entries:
            if msgid in SAME_IN_SPANISH:
                continue
            if plural is not None:
                translated = (
                    translation.npgettext(context, msgid, plural, 1)
                    if context
                    else translation.ngettext(msgid, plural, 1)
                )
            elif context:
                translated = translation.pgettext(context, msgid)
            else:
                translated = translation.gettext(msgid)
            if translated == msgid:
                missing.append(f"{context + ' | ' if context else ''}{msgid}")
    assert not missing, f"{len(missing)} strings without a Spanish translation: {missing}"
