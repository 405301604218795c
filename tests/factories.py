"""Factories for every model a test needs, with valid defaults (the rules of DOMAIN.md
hold for whatever they build unless a test says otherwise)."""

import datetime
import itertools

import factory
from codicefiscale import codicefiscale
from django.utils import timezone

from accounts.models import User
from enti.models import Comune, Ente, Membership, Nodo, Olp, Provincia, Regione, Sede
from enti.validators import codice_fiscale_numerico_valido
from progetti import rules
from progetti.models import Area, Bando, PostoSede, Progetto, Settore
from volontari.models import Presenza, Servizio, Volontario

_cf_counter = itertools.count(1)


def codice_fiscale_ente() -> str:
    base = f"90{next(_cf_counter):08d}"
    return next(base + str(d) for d in range(10) if codice_fiscale_numerico_valido(base + str(d)))


_persona_counter = itertools.count(1)
_COGNOMI = ["Rossi", "Bianchi", "Verdi", "Neri", "Gallo", "Riva", "Sala", "Villa", "Conti", "Greco"]


def codice_fiscale_persona(n: int) -> str:
    """A valid tax code, different for each n."""
    nascita = datetime.date(2000, 1, 1) + datetime.timedelta(days=n % 3000)
    return codicefiscale.encode(
        lastname=_COGNOMI[n % len(_COGNOMI)] + "x" * (n // 3000),
        firstname="Giulia",
        gender="F",
        birthdate=nascita.strftime("%d/%m/%Y"),
        birthplace="A794",
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("password-for-tests")


class RegioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regione
        django_get_or_create = ["codice_istat"]

    codice_istat = "03"
    nome = "Lombardia"


class ProvinciaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provincia
        django_get_or_create = ["codice_istat"]

    codice_istat = "016"
    nome = "Bergamo"
    sigla = "BG"
    regione = factory.SubFactory(RegioneFactory)


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune

    codice_istat = factory.Sequence(lambda n: f"9{n:05d}")
    # Real cadastral codes run from A001 to M999 (and Z for foreign states): N to Y are free.
    codice_catastale = factory.Sequence(lambda n: f"{'NPQRSTUVWXY'[(n // 1000) % 11]}{n % 1000:03d}")
    nome = factory.Sequence(lambda n: f"Comune di prova {n}")
    provincia = factory.SubFactory(ProvinciaFactory)


class NodoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nodo
        django_get_or_create = ["slug"]

    slug = "lombardia"
    nome = factory.LazyAttribute(lambda o: f"ANCI {o.slug.title()}")
    livello = Nodo.Livello.REGIONALE


class EnteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ente

    denominazione = factory.Sequence(lambda n: f"Comune numero {n}")
    tipo = Ente.Tipo.COMUNE
    codice_fiscale = factory.LazyFunction(codice_fiscale_ente)
    comune = factory.SubFactory(ComuneFactory)
    nodo = factory.SubFactory(NodoFactory)
    stato_adesione = Ente.StatoAdesione.ADERENTE
    data_richiesta = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
    data_adesione = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))


class SedeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sede

    ente = factory.SubFactory(EnteFactory)
    denominazione = "Municipio"
    comune = factory.SelfAttribute("ente.comune")
    indirizzo = "Piazza Municipio"
    civico = factory.Sequence(lambda n: str(n + 1))


class OlpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Olp

    ente = factory.SubFactory(EnteFactory)
    nome = "Olga"
    cognome = factory.Sequence(lambda n: f"Tutor{n}")
    # The OLP requirements (DOMAIN.md), met: a relevant degree, the OLP course, 10 hours a week.
    requisito = Olp.Requisito.LAUREA
    titolo_o_esperienza = "Laurea in scienze dell'educazione"
    corso_olp_il = datetime.date(2024, 3, 1)
    ore_settimanali_sede = 10


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    ruolo = Membership.Ruolo.REFERENTE
    ente = factory.SubFactory(EnteFactory)


class SettoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settore
        django_get_or_create = ["codice"]

    codice = "A"
    nome = "Assistenza"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["settore", "numero"]

    settore = factory.SubFactory(SettoreFactory)
    numero = 1
    nome = "Persone con disabilità"


class BandoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bando
        django_get_or_create = ["nome"]

    nome = "Bando di prova"
    anno = 2025


class ProgettoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progetto

    titolo = factory.Sequence(lambda n: f"Progetto {n}")
    ente = factory.SubFactory(EnteFactory)
    bando = factory.SubFactory(BandoFactory)
    area = factory.SubFactory(AreaFactory)
    settore = factory.SelfAttribute("area.settore")
    stato = Progetto.Stato.IN_CORSO
    durata_mesi = 12
    modello_orario = Progetto.ModelloOrario.SETTIMANALE
    ore_settimanali = rules.ORE_SETTIMANALI
    giorni_settimana = 5
    formazione_generale_ore = 30
    formazione_specifica_ore = 50
    data_avvio = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))


class PostoSedeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostoSede

    progetto = factory.SubFactory(ProgettoFactory)
    sede = factory.SubFactory(SedeFactory, ente=factory.SelfAttribute("..progetto.ente"))
    posti_senza_vitto_alloggio = 4


class VolontarioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volontario

    codice_fiscale = factory.LazyFunction(lambda: codice_fiscale_persona(next(_persona_counter)))
    nome = "Giulia"
    cognome = factory.Sequence(lambda n: f"Volontaria{n}")
    data_nascita = datetime.date(2001, 1, 1)
    sesso = Volontario.Sesso.F


class ServizioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Servizio

    volontario = factory.SubFactory(VolontarioFactory)
    posto = factory.SubFactory(PostoSedeFactory)
    olp = factory.SubFactory(OlpFactory, ente=factory.SelfAttribute("..posto.sede.ente"))
    # Started 45 days ago: in service in the previous month too, whatever today is (30 days
    # ago is still in the current month on the 31st, and the monitoring of "last month"
    # would see nobody).
    data_inizio = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=45))
    data_fine_prevista = factory.LazyAttribute(lambda o: o.data_inizio + datetime.timedelta(days=364))
    data_fine = factory.SelfAttribute("data_fine_prevista")
    stato = Servizio.Stato.IN_SERVIZIO


class PresenzaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presenza

    servizio = factory.SubFactory(ServizioFactory)
    giorno = factory.LazyAttribute(lambda o: o.servizio.data_inizio)
    codice = Presenza.Codice.P
    attivita = Presenza.Attivita.SERVIZIO
    ore = 5
