"""Backups that are known to restore: the database (PostgreSQL in pg_dump's custom format,
SQLite through its online backup API) and the media folder (signed sheets, reports) as a
tar.gz. Used by `manage.py backup` and `manage.py restore` (`make backup`, `make restore`),
checked by `.ci/backup_restore.sh`."""

import datetime
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import environ
from django.conf import settings


class BackupError(Exception):
    pass


def database(url: str | None = None) -> dict:
    """The database settings of `url` (a DATABASE_URL), or those the portal runs on."""
    return environ.Env.db_url_config(url) if url else settings.DATABASES["default"]


def _motore(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine or "postgis" in engine:
        return "postgresql"
    raise BackupError(f"Unsupported database engine: {engine}")


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _esegui(cmd: list[str], env: dict) -> None:
    risultato = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if risultato.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({risultato.returncode}): {risultato.stderr.strip()}")


def nome_file(cartella: Path, db: dict, adesso: datetime.datetime | None = None) -> Path:
    adesso = adesso or datetime.datetime.now(datetime.UTC)
    estensione = "dump" if _motore(db) == "postgresql" else "sqlite3"
    return cartella / f"scu-{adesso:%Y%m%d-%H%M%S}.{estensione}"


def salva_database(destinazione: Path, db: dict) -> Path:
    """A consistent copy of the database while the portal runs."""
    destinazione.parent.mkdir(parents=True, exist_ok=True)
    if _motore(db) == "postgresql":
        try:
            _esegui(
                ["pg_dump", *_pg_args(db), "-d", str(db["NAME"]), "-Fc", "--no-owner", "-f", str(destinazione)],
                _pg_env(db),
            )
        except BackupError:
            destinazione.unlink(missing_ok=True)  # no half-written file that looks like a backup
            raise
    else:
        if not Path(str(db["NAME"])).is_file():
            raise BackupError(f"No database at {db['NAME']}")
        sorgente = sqlite3.connect(str(db["NAME"]))
        copia = sqlite3.connect(str(destinazione))
        try:
            with copia:
                sorgente.backup(copia)
        finally:
            copia.close()
            sorgente.close()
    return destinazione


def salva_media(destinazione: Path, media_root: Path | None = None) -> Path | None:
    """The media folder as a tar.gz (paths relative to MEDIA_ROOT); None when it is empty."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not media_root.is_dir() or not any(media_root.iterdir()):
        return None
    with tarfile.open(destinazione, "w:gz") as tar:
        tar.add(media_root, arcname=".")
    return destinazione


def _pg_vuoto(db: dict) -> bool:
    cmd = ["psql", *_pg_args(db), "-d", str(db["NAME"]), "-tAc"]
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    risultato = subprocess.run([*cmd, sql], env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    if risultato.returncode != 0:
        raise BackupError(f"psql failed: {risultato.stderr.strip()}")
    return risultato.stdout.strip() == "0"


def ripristina_database(sorgente: Path, db: dict, *, sostituisci: bool = False) -> None:
    """Restore a backup into `db`. The database must be empty (a fresh one) unless
    `sostituisci`: then what it holds is dropped first. Stop web, worker and beat before."""
    if not sorgente.is_file():
        raise BackupError(f"No such backup file: {sorgente}")
    if _motore(db) == "postgresql":
        if not _pg_vuoto(db):
            if not sostituisci:
                raise BackupError(f"Database {db['NAME']} is not empty: restore into a fresh one, or replace it.")
            _esegui(
                [
                    "psql", *_pg_args(db), "-d", str(db["NAME"]), "-v", "ON_ERROR_STOP=1", "-c",
                    "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
                ],
                _pg_env(db),
            )  # fmt: skip
        _esegui(
            ["pg_restore", *_pg_args(db), "-d", str(db["NAME"]), "--no-owner", "--exit-on-error", str(sorgente)],
            _pg_env(db),
        )
        return
    destinazione = Path(str(db["NAME"]))
    if destinazione.exists() and destinazione.stat().st_size > 0 and not sostituisci:
        raise BackupError(f"{destinazione} exists: restore into a fresh file, or replace it.")
    copia = sqlite3.connect(str(sorgente))
    bersaglio = sqlite3.connect(str(destinazione))
    try:
        with bersaglio:
            copia.backup(bersaglio)
    finally:
        bersaglio.close()
        copia.close()


def ripristina_media(sorgente: Path, media_root: Path | None = None) -> None:
    media_root = Path(media_root or settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sorgente, "r:gz") as tar:
        tar.extractall(media_root, filter="data")
