"""Tasks leave through the database: a transactional outbox.

`accoda(task, *args)` writes an `Outbox` row in the caller's transaction, so the task exists
exactly when the change that needs it is committed. After commit it tries to publish at once;
if the broker (Redis) is down the row stays, the change is saved all the same, and `svuota()`
sends it later, oldest first: every worker runs it each time it (re)connects to the broker and
every OUTBOX_RIPROVA_SECONDI (`network.celery.SvuotaOutbox`), so what waited leaves as soon as
Redis is back with no beat and no restart; Celery beat runs it every minute too
(`infra.tasks.svuota_outbox`), and so does `manage.py svuota_outbox`. /salute/ reports the age
of the oldest waiting row (`network.views_salute`).

Each row is published once: its sender holds the row lock (FOR UPDATE SKIP LOCKED, so two
senders never take the same row) from the publish until the row is marked sent, and commits
right after. Only a database failure between the publish and that commit can send a row
twice, which is why the tasks are idempotent (`monitoraggio.reports.genera` leaves a done report
alone).

With tasks in-process (no REDIS_URL: `task_always_eager`) there is no broker to wait for: the
task runs after commit, on a thread of its own (`TASK_IN_PROCESSO_SU_THREAD`, on by default), so
that the request that queued it answers at once and its page can follow the job as it would
with a worker; the tests turn the thread off and run the task where it is queued.
"""

import datetime
import logging
import threading

from celery import current_app as app
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import Outbox

logger = logging.getLogger(__name__)

# Seconds a request that queued a task waits for a broker that does not answer.
TIMEOUT_BROKER = 2
# Rows sent right after a commit, in the request that made them: the rest wait for the flush.
DOPO_COMMIT = 20
# Rows already sent are deleted after this long.
CONSERVAZIONE = datetime.timedelta(days=7)


def accoda(task, *args, **kwargs) -> Outbox | None:
    """Queue `task(*args, **kwargs)` when the current transaction commits (ids only: the
    arguments are stored as JSON). `task` is a task or the name it is registered under, so that
    a module need not import the tasks module that imports it."""
    if isinstance(task, str):
        task = app.tasks[task]
    if task.app.conf.task_always_eager:
        transaction.on_commit(lambda: in_processo(task, args, kwargs))
        return None
    riga = Outbox.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    _programma_invio()
    return riga


def in_processo(task, args, kwargs) -> threading.Thread | None:
    """Run an in-process task after commit: on a daemon thread with its own database
    connection (returned, so that a caller may wait for it), or here when
    `TASK_IN_PROCESSO_SU_THREAD` is off. A task that fails on the thread has recorded its
    failure (a report marks itself failed); the thread only logs it."""
    if not getattr(settings, "TASK_IN_PROCESSO_SU_THREAD", False):
        task.apply_async(args, kwargs)
        return None

    def esegui():
        try:
            task.apply_async(args, kwargs)
        except Exception:
            logger.exception("In-process task %s failed", task.name)
        finally:
            connections.close_all()

    t = threading.Thread(target=esegui, name=f"task-{task.name}", daemon=True)
    t.start()
    return t


def _invia_dopo_commit() -> None:
    # Best effort: the change is committed and the rows are safe, the flush sends them later.
    # Whatever goes wrong here must not turn the user's saved change into an error page.
    try:
        svuota(limite=DOPO_COMMIT, pulisci=False)
    except Exception as exc:
        logger.warning("Outbox not flushed after commit (%s): the periodic flush will send it", type(exc).__name__)


def _programma_invio() -> None:
    """One flush after the commit, however many tasks the transaction queued."""
    pending = getattr(connection, "run_on_commit", [])
    if any(func is _invia_dopo_commit for _, func, _ in pending):
        return
    transaction.on_commit(_invia_dopo_commit)


def _connessione():
    """A broker connection of its own, that gives up quickly: the producer pool's would retry
    for `broker_connection_timeout` and keep a connection broken by an outage."""
    return app.connection_for_write(
        connect_timeout=TIMEOUT_BROKER,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": TIMEOUT_BROKER,
            "socket_timeout": TIMEOUT_BROKER,
        },
    )


def _pubblica(riga: Outbox, conn) -> None:
    if app.conf.task_always_eager:
        app.tasks[riga.task].apply_async(riga.args, riga.kwargs)
    else:
        app.send_task(riga.task, args=riga.args, kwargs=riga.kwargs, connection=conn, retry=False)


def svuota(limite: int | None = None, *, pulisci: bool = True) -> int:
    """Send the rows still waiting, oldest first (up to `limite`); returns how many were sent.
    Stops at the first broker error: the rows after it would fail too and keep their order."""
    inviati, saltate = 0, []
    with _connessione() as conn:
        while limite is None or inviati < limite:
            with transaction.atomic():
                riga = (
                    Outbox.objects.select_for_update(skip_locked=True)
                    .filter(inviato_il__isnull=True)
                    .exclude(pk__in=saltate)
                    .first()
                )
                if riga is None:
                    break
                riga.tentativi += 1
                try:
                    _pubblica(riga, conn)
                except OperationalError as exc:  # the broker does not answer
                    _fallita(riga, exc)
                    break
                except Exception as exc:  # this row only: record it and go on with the others
                    _fallita(riga, exc)
                    saltate.append(riga.pk)
                    continue
                riga.inviato_il = timezone.now()
                riga.ultimo_errore = ""
                riga.save(update_fields=["tentativi", "inviato_il", "ultimo_errore"])
            inviati += 1
    if pulisci:
        Outbox.objects.filter(inviato_il__lt=timezone.now() - CONSERVAZIONE).delete()
    return inviati


def _fallita(riga: Outbox, exc: Exception) -> None:
    riga.ultimo_errore = type(exc).__name__[:200]
    riga.save(update_fields=["tentativi", "ultimo_errore"])
    logger.warning("Task %s (outbox #%s) not sent (%s): it stays queued", riga.task, riga.pk, riga.ultimo_errore)


def in_attesa() -> int:
    return Outbox.objects.filter(inviato_il__isnull=True).count()
