"""`manage.py backup` and `manage.py restore`: a backup restores to the same rows, on SQLite
(always) and on PostgreSQL (when the suite runs on it: CI). A restore refuses to overwrite a
database that holds data unless told to replace it. `.ci/backup_restore.sh` does the same on
the whole demo network and compares counters, attendance and the audit log."""

import os
import sqlite3
import subprocess
import uuid

import pytest
from django.core.management import CommandError, call_command

from infra import backup
from tests.conftest import need


def _righe_sqlite(path) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT id, testo FROM prova ORDER BY id").fetchall()


def test_sqlite_backup_restores_the_same_rows_and_media(tmp_path, settings):
    sorgente = tmp_path / "portale.sqlite3"
    with sqlite3.connect(sorgente) as c:
        c.execute("CREATE TABLE prova (id integer primary key, testo text)")
        c.executemany("INSERT INTO prova (testo) VALUES (?)", [("uno",), ("due",), ("tre",)])
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "fogli_presenze" / "2027").mkdir(parents=True)
    (settings.MEDIA_ROOT / "fogli_presenze" / "2027" / "a.pdf").write_bytes(b"%PDF-1.4 firmato")

    call_command("backup", "--cartella", str(tmp_path / "backups"), "--database-url", f"sqlite:///{sorgente}")
    file_db = next((tmp_path / "backups").glob("scu-*.sqlite3"))
    file_media = next((tmp_path / "backups").glob("scu-*-media.tar.gz"))

    copia = tmp_path / "ripristino.sqlite3"
    settings.MEDIA_ROOT = tmp_path / "media-ripristinati"
    call_command("restore", str(file_db), "--media", str(file_media), "--database-url", f"sqlite:///{copia}")
    assert _righe_sqlite(copia) == [(1, "uno"), (2, "due"), (3, "tre")]
    assert (settings.MEDIA_ROOT / "fogli_presenze" / "2027" / "a.pdf").read_bytes() == b"%PDF-1.4 firmato"

    # A database that holds data is not overwritten by mistake.
    with pytest.raises(CommandError, match="exists"):
        call_command("restore", str(file_db), "--database-url", f"sqlite:///{sorgente}")
    with sqlite3.connect(sorgente) as c:
        c.execute("INSERT INTO prova (testo) VALUES ('quattro')")
    call_command("restore", str(file_db), "--database-url", f"sqlite:///{sorgente}", "--sostituisci")
    assert _righe_sqlite(sorgente) == [(1, "uno"), (2, "due"), (3, "tre")]


def test_a_missing_backup_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such backup file"):
        call_command("restore", str(tmp_path / "nessuno.dump"), "--database-url", f"sqlite:///{tmp_path / 'x.db'}")


def _psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_postgresql_backup_restores_the_same_rows(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    need(url.startswith(("postgres://", "postgresql://")), "the suite runs on SQLite (DATABASE_URL is not PostgreSQL)")
    server = url.rsplit("/", 1)[0]
    nomi = [f"scu_backup_{uuid.uuid4().hex[:8]}_{s}" for s in ("a", "b")]
    for nome in nomi:
        _psql(f"{server}/postgres", f"CREATE DATABASE {nome}")
    try:
        a, b = (f"{server}/{n}" for n in nomi)
        _psql(
            a,
            "CREATE TABLE prova (id serial primary key, testo text); INSERT INTO prova (testo) VALUES ('uno'), ('due')",
        )
        file_db = backup.salva_database(tmp_path / "scu.dump", backup.database(a))
        assert file_db.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
        call_command("restore", str(file_db), "--database-url", b)
        assert _psql(b, "SELECT string_agg(id || testo, ',' ORDER BY id) FROM prova") == "1uno,2due"
        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", str(file_db), "--database-url", b)
        _psql(b, "INSERT INTO prova (testo) VALUES ('tre')")
        call_command("restore", str(file_db), "--database-url", b, "--sostituisci")
        assert _psql(b, "SELECT count(*) FROM prova") == "2"
    finally:
        for nome in nomi:
            _psql(f"{server}/postgres", f"DROP DATABASE IF EXISTS {nome}")
