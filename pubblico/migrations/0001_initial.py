"""The tables of the history of the counters and the news stay where the network app created them (`db_table`): this
migration only tells Django's state that the models now live here (network 0007 removed them
from the network app's state)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0008_modelli_alle_loro_app'),
        ('enti', '0002_eventoadesione'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Istantanea',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('giorno', models.DateField(unique=True, verbose_name='day')),
                        ('enti', models.PositiveIntegerField(verbose_name='bodies and comuni')),
                        ('olp', models.PositiveIntegerField(verbose_name='active OLP')),
                        ('volontari', models.PositiveIntegerField(verbose_name='active volunteers')),
                        ('nodi', models.JSONField(default=list, help_text='[{slug, nome, enti, olp, volontari}]', verbose_name='by node')),
                        ('creata_il', models.DateTimeField(auto_now=True, verbose_name='taken on')),
                    ],
                    options={
                        'verbose_name': 'daily snapshot',
                        'verbose_name_plural': 'daily snapshots',
                        'db_table': 'network_istantanea',
                        'ordering': ['-giorno'],
                    },
                ),
                migrations.CreateModel(
                    name='Notizia',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('titolo', models.CharField(max_length=200, verbose_name='title')),
                        ('slug', models.SlugField(max_length=80, unique=True, verbose_name='address')),
                        ('sommario', models.CharField(max_length=300, verbose_name='summary')),
                        ('testo', models.TextField(help_text='Plain text; blank lines separate paragraphs.', verbose_name='text')),
                        ('pubblicata', models.BooleanField(default=False, verbose_name='published')),
                        ('pubblicata_il', models.DateTimeField(default=django.utils.timezone.now, verbose_name='publication date')),
                        ('aggiornata_il', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('nodo', models.ForeignKey(blank=True, help_text='Empty for news of the whole network.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notizie', to='enti.nodo', verbose_name='network node')),
                    ],
                    options={
                        'verbose_name': 'news item',
                        'verbose_name_plural': 'news',
                        'db_table': 'network_notizia',
                        'ordering': ['-pubblicata_il'],
                    },
                ),
            ],
        ),
    ]
