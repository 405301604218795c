"""Tasks keep the names they were registered under when they lived in network/tasks.py: rows
waiting in the outbox and beat's schedule name them, so a task that moves between apps keeps
its `name=`."""

from network.celery import app

NOMI = {
    "network.tasks.refresh_counters",
    "network.tasks.genera_report",
    "network.tasks.ordina_report_mensili",
    "network.tasks.pulisci_report",
    "network.tasks.controlla_allerte",
    "network.tasks.pseudonimizza",
    "network.tasks.svuota_outbox",
}


def test_every_task_keeps_its_registered_name():
    app.loader.import_default_modules()
    assert set(app.tasks) >= NOMI


def test_beat_names_only_registered_tasks():
    app.loader.import_default_modules()
    assert {voce["task"] for voce in app.conf.beat_schedule.values()} <= set(app.tasks)


def test_reports_queue_the_report_task_by_its_registered_name():
    from monitoraggio import reports, tasks

    assert tasks.genera_report.name == reports.GENERA_REPORT == "network.tasks.genera_report"
