"""The Italian catalogue is complete, compiled, and covers every string of the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "it" / "LC_MESSAGES" / "django.po"


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


def test_compiled_catalogue_matches_the_sources():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
        ), entry.msgid


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    need(shutil.which("xgettext") is not None, "gettext (xgettext) is not installed")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "static", "media", "staticfiles", "db.sqlite3*", "__pycache__", "*.mo"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "it", "--no-obsolete", "--ignore", ".venv/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "network.settings.test"},
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/it/LC_MESSAGES/django.po"))}
    ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO))}
    missing = fresh - ours
    assert not missing, f"run `make messages` and translate: {sorted(m for _c, m in missing)[:20]}"


@pytest.mark.parametrize("language", ["it", "en"])
def test_languages_are_offered(settings, language):
    assert language in dict(settings.LANGUAGES)
