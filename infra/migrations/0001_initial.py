"""The tables of the outbox stay where the network app created them (`db_table`): this
migration only tells Django's state that the models now live here (network 0007 removed them
from the network app's state)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0008_modelli_alle_loro_app'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Outbox',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task', models.CharField(max_length=200, verbose_name='task')),
                        ('args', models.JSONField(blank=True, default=list, verbose_name='arguments')),
                        ('kwargs', models.JSONField(blank=True, default=dict, verbose_name='keyword arguments')),
                        ('creato_il', models.DateTimeField(auto_now_add=True, verbose_name='created on')),
                        ('inviato_il', models.DateTimeField(blank=True, null=True, verbose_name='sent on')),
                        ('tentativi', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('ultimo_errore', models.CharField(blank=True, max_length=200, verbose_name='last error')),
                    ],
                    options={
                        'verbose_name': 'task to send',
                        'verbose_name_plural': 'tasks to send',
                        'db_table': 'network_outbox',
                        'ordering': ['pk'],
                        'indexes': [models.Index(condition=models.Q(('inviato_il__isnull', True)), fields=['id'], name='outbox_da_inviare')],
                    },
                ),
            ],
        ),
    ]
