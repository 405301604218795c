"""The tables of invitations and access requests stay where the network app created them (`db_table`): this
migration only tells Django's state that the models now live here (network 0007 removed them
from the network app's state)."""

import django.db.models.deletion
import enti.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('network', '0008_modelli_alle_loro_app'),
        ('enti', '0002_eventoadesione'),
        ('volontari', '0009_presenza_ordinata_per_colonna'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Invito',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                        ('ruolo', models.CharField(choices=[('staff_nazionale', 'national network staff'), ('staff_nodo', 'node staff'), ('referente', 'body referent'), ('staff_ente', 'body staff'), ('responsabile_sede', 'site manager'), ('olp', 'OLP'), ('volontario', 'volunteer')], max_length=20, verbose_name='role')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('creato_il', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('scade_il', models.DateTimeField(verbose_name='expires')),
                        ('usato_il', models.DateTimeField(blank=True, null=True, verbose_name='accepted on')),
                        ('revocato_il', models.DateTimeField(blank=True, null=True, verbose_name='revoked on')),
                        ('creato_da', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                        ('ente', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.ente', verbose_name='body')),
                        ('nodo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.nodo', verbose_name='network node')),
                        ('olp', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.olp', verbose_name='OLP')),
                        ('sede', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='enti.sede', verbose_name='site')),
                        ('usato_da', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                        ('volontario', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='volontari.volontario', verbose_name='volunteer')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'db_table': 'network_invito',
                        'ordering': ['-creato_il'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('ente__isnull', True), ('nodo__isnull', False), ('ruolo__in', ['staff_nazionale', 'staff_nodo'])), models.Q(('ente__isnull', False), ('nodo__isnull', True), ('ruolo__in', ['referente', 'staff_ente'])), models.Q(('ruolo', 'responsabile_sede'), ('sede__isnull', False)), models.Q(('olp__isnull', False), ('ruolo', 'olp')), models.Q(('ruolo', 'volontario'), ('volontario__isnull', False)), _connector='OR'), name='invito_ambito_coerente_col_ruolo'), models.CheckConstraint(condition=models.Q(('usato_il__isnull', True), ('revocato_il__isnull', True), _connector='OR'), name='invito_usato_o_revocato')],
                    },
                ),
                migrations.CreateModel(
                    name='RichiestaAccesso',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('denominazione', models.CharField(max_length=200, verbose_name='name of the body')),
                        ('tipo', models.CharField(choices=[('comune', 'municipality'), ('unione_comuni', 'union of municipalities'), ('comunita_montana', 'mountain community'), ('consorzio', 'consortium'), ('azienda_speciale', 'special company'), ('azienda_servizi', 'public services company'), ('provincia', 'province'), ('associazione_enti', 'association of local authorities'), ('altro', 'other public body')], default='comune', max_length=20, verbose_name='kind')),
                        ('codice_fiscale', models.CharField(max_length=11, validators=[enti.validators.validate_codice_fiscale_ente], verbose_name='tax code')),
                        ('pec', models.EmailField(max_length=254, verbose_name='certified e-mail (PEC)')),
                        ('rappresentante_legale', models.CharField(max_length=200, verbose_name='legal representative')),
                        ('nome', models.CharField(max_length=100, verbose_name='your first name')),
                        ('cognome', models.CharField(max_length=100, verbose_name='your last name')),
                        ('email', models.EmailField(max_length=254, verbose_name='your e-mail')),
                        ('stato', models.CharField(choices=[('in_attesa', 'waiting'), ('approvata', 'approved'), ('respinta', 'refused')], default='in_attesa', max_length=12, verbose_name='state')),
                        ('motivo', models.TextField(blank=True, verbose_name='reason')),
                        ('creata_il', models.DateTimeField(auto_now_add=True, verbose_name='sent on')),
                        ('decisa_il', models.DateTimeField(blank=True, null=True, verbose_name='decided on')),
                        ('comune', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='enti.comune', verbose_name='municipality')),
                        ('decisa_da', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                        ('ente', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='enti.ente', verbose_name='body')),
                        ('nodo', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='enti.nodo', verbose_name='network node')),
                    ],
                    options={
                        'verbose_name': 'access request',
                        'verbose_name_plural': 'access requests',
                        'db_table': 'network_richiestaaccesso',
                        'ordering': ['-creata_il'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('stato', 'respinta'), _negated=True), models.Q(('motivo', ''), _negated=True), _connector='OR'), name='richiesta_respinta_con_motivo'), models.UniqueConstraint(condition=models.Q(('stato', 'in_attesa')), fields=('codice_fiscale',), name='richiesta_una_in_attesa_per_ente')],
                    },
                ),
            ],
        ),
    ]
