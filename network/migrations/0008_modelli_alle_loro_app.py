"""Report, Allerta, Istantanea, Notizia, Outbox, Invito and RichiestaAccesso move to the apps
they belong to (monitoraggio, pubblico, infra, adesioni) with their tables: the models leave
the network app's state only, the database is not touched. Their content types (and so their
permissions and the admin's history) follow them, and so do the object types the audit log
stored for them, so that old and new events of an object read the same label.

When another network migration lands before this one, point `dependencies` at it."""

from django.db import migrations

# model -> the app it moves to
NUOVE_APP = {
    "invito": "adesioni",
    "richiestaaccesso": "adesioni",
    "report": "monitoraggio",
    "allerta": "monitoraggio",
    "istantanea": "pubblico",
    "notizia": "pubblico",
    "outbox": "infra",
}


def _sposta(apps, da, a_di):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    for modello, app in NUOVE_APP.items():
        origine, destinazione = (da or app), (a_di or app)
        if not ContentType.objects.filter(app_label=destinazione, model=modello).exists():
            ContentType.objects.filter(app_label=origine, model=modello).update(app_label=destinazione)
        AuditEvent.objects.filter(target_type=f"{origine}.{modello}").update(target_type=f"{destinazione}.{modello}")


def avanti(apps, schema_editor):
    _sposta(apps, "network", None)


def indietro(apps, schema_editor):
    _sposta(apps, None, "network")


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0007_allerta_settimana_sotto_minimo'),
        ('accounts', '0002_auditevent_ambito_ente_auditevent_ambito_nodo'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='allerta',
                    name='ente',
                ),
                migrations.RemoveField(
                    model_name='allerta',
                    name='olp',
                ),
                migrations.RemoveField(
                    model_name='allerta',
                    name='servizio',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='creato_da',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='ente',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='nodo',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='olp',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='sede',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='usato_da',
                ),
                migrations.RemoveField(
                    model_name='invito',
                    name='volontario',
                ),
                migrations.DeleteModel(
                    name='Istantanea',
                ),
                migrations.RemoveField(
                    model_name='notizia',
                    name='nodo',
                ),
                migrations.DeleteModel(
                    name='Outbox',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='ente',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='nodo',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='progetto',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='richiesto_da',
                ),
                migrations.RemoveField(
                    model_name='richiestaaccesso',
                    name='comune',
                ),
                migrations.RemoveField(
                    model_name='richiestaaccesso',
                    name='decisa_da',
                ),
                migrations.RemoveField(
                    model_name='richiestaaccesso',
                    name='ente',
                ),
                migrations.RemoveField(
                    model_name='richiestaaccesso',
                    name='nodo',
                ),
                migrations.DeleteModel(
                    name='Allerta',
                ),
                migrations.DeleteModel(
                    name='Invito',
                ),
                migrations.DeleteModel(
                    name='Notizia',
                ),
                migrations.DeleteModel(
                    name='Report',
                ),
                migrations.DeleteModel(
                    name='RichiestaAccesso',
                ),
            ],
        ),
        migrations.RunPython(avanti, indietro),
    ]
