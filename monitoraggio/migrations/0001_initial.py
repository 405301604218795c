"""The tables of reports and alerts stay where the network app created them (`db_table`): this
migration only tells Django's state that the models now live here (network 0007 removed them
from the network app's state)."""

import accounts.files
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0008_modelli_alle_loro_app'),
        ('enti', '0002_eventoadesione'),
        ('progetti', '0002_eventoprogetto'),
        ('volontari', '0009_presenza_ordinata_per_colonna'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Allerta',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tipo', models.CharField(choices=[('nessuna_registrazione', 'no attendance recorded for days'), ('mese_non_confermato', 'month not confirmed by the 10th'), ('permessi_quasi_esauriti', 'paid leave nearly used'), ('malattia_oltre', 'sickness near or beyond the paid days'), ('formazione_in_scadenza', 'training deadline near'), ('interruzione_da_comunicare', 'interruption to report'), ('olp_oltre_massimo', 'OLP over the maximum'), ('settimana_sotto_minimo', "week under the project's minimum hours")], max_length=32, verbose_name='kind')),
                        ('chiave', models.CharField(help_text='kind and object: the same alert is found once', max_length=120, unique=True)),
                        ('messaggio', models.CharField(max_length=300, verbose_name='message')),
                        ('creata_il', models.DateTimeField(auto_now_add=True, verbose_name='found on')),
                        ('risolta_il', models.DateTimeField(blank=True, null=True, verbose_name='resolved on')),
                        ('notificata_il', models.DateTimeField(blank=True, null=True, verbose_name='sent in a digest on')),
                        ('ente', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allerte', to='enti.ente', verbose_name='body')),
                        ('olp', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='enti.olp', verbose_name='OLP')),
                        ('servizio', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='volontari.servizio', verbose_name='service')),
                    ],
                    options={
                        'verbose_name': 'alert',
                        'verbose_name_plural': 'alerts',
                        'db_table': 'network_allerta',
                        'ordering': ['-creata_il'],
                    },
                ),
                migrations.CreateModel(
                    name='Report',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('tipo', models.CharField(choices=[('mensile_ente', 'monthly report of a body'), ('mensile_nodo', 'monthly report of a node'), ('progetto', 'project report'), ('annuale_ente', 'draft annual report of a body')], max_length=20, verbose_name='kind')),
                        ('periodo_inizio', models.DateField(verbose_name='from')),
                        ('periodo_fine', models.DateField(verbose_name='to')),
                        ('stato', models.CharField(choices=[('in_coda', 'queued'), ('in_corso', 'running'), ('completato', 'done'), ('fallito', 'failed')], db_index=True, default='in_coda', max_length=12, verbose_name='state')),
                        ('progresso', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('file', models.FileField(blank=True, upload_to=accounts.files.NomeCasuale('report'), verbose_name='file')),
                        ('creato_il', models.DateTimeField(auto_now_add=True, verbose_name='ordered on')),
                        ('iniziato_il', models.DateTimeField(blank=True, null=True, verbose_name='started on')),
                        ('completato_il', models.DateTimeField(blank=True, null=True, verbose_name='finished on')),
                        ('tentativi', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('errore', models.TextField(blank=True, verbose_name='error')),
                        ('ente', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.ente', verbose_name='body')),
                        ('nodo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.nodo', verbose_name='network node')),
                        ('progetto', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='progetti.progetto', verbose_name='project')),
                        ('richiesto_da', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ordered by')),
                    ],
                    options={
                        'verbose_name': 'report',
                        'verbose_name_plural': 'reports',
                        'db_table': 'network_report',
                        'ordering': ['-creato_il'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('ente__isnull', True), ('nodo__isnull', False), ('progetto__isnull', True), ('tipo', 'mensile_nodo')), models.Q(('ente__isnull', False), ('nodo__isnull', True), ('progetto__isnull', True), ('tipo__in', ['mensile_ente', 'annuale_ente'])), models.Q(('ente__isnull', True), ('nodo__isnull', True), ('progetto__isnull', False), ('tipo', 'progetto')), _connector='OR'), name='report_ambito_coerente_col_tipo'), models.CheckConstraint(condition=models.Q(('progresso__lte', 100)), name='report_progresso_0_100'), models.CheckConstraint(condition=models.Q(('periodo_fine__gte', models.F('periodo_inizio'))), name='report_periodo_valido'), models.CheckConstraint(condition=models.Q(models.Q(('stato', 'completato'), _negated=True), models.Q(('file', ''), _negated=True), _connector='OR'), name='report_completato_ha_file')],
                    },
                ),
            ],
        ),
    ]
