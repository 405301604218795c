"""The demo network: a deterministic network built from real comuni.

For the whole network, on the day it is built, the public counters read exactly
1,308 member enti, 1,240 active OLP and 1,756 active volunteers (the figures of the
network's seed page), about nine in ten of them in Lombardia. Around them: enti at every
adhesion stage, projects at every stage, concluded, interrupted and renounced services,
replacements (subentri), shared experts, territorial networks, three months of attendance
and the monthly closes that go with it.

Dates are relative to the day of the build. Every active service ends at least three
months later, so that the figures hold for weeks after a build; nothing starts in the
future.
"""

import calendar
import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from codicefiscale import codicefiscale
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enti.models import Comune, Ente, Esperto, EventoAdesione, Membership, Nodo, Olp, Regione, ReteTerritoriale, Sede
from enti.validators import codice_fiscale_numerico_valido
from progetti import rules
from progetti.models import (
    AmbitoAzione,
    Area,
    Bando,
    EventoProgetto,
    IncaricoEsperto,
    Obiettivo2030,
    PostoSede,
    Progetto,
    Programma,
    Settore,
)
from pubblico import counters
from volontari.models import (
    ChiusuraMensile,
    Presenza,
    Questionario,
    RelazioneMensile,
    RiepilogoMensile,
    Servizio,
    Volontario,
    riepiloghi_rinviati,
)

from . import storie

# What a shared expert of the pool offers (demo and benchmark).
COMPETENZE_ESPERTI = [
    "Formazione generale",
    "Selezione dei candidati",
    "Monitoraggio di progetto",
    "Tutoraggio e bilancio delle competenze",
]

SEED = 20260101
TARGET_ENTI = 1308
TARGET_OLP = 1240
TARGET_VOLONTARI = 1756

# (slug, name, ISTAT region names, member enti, active OLP, active volunteers)
NODI = [
    ("anci", "ANCI nazionale", [], 15, 11, 15),
    ("abruzzo", "ANCI Abruzzo", ["Abruzzo"], 12, 10, 14),
    ("friuli-venezia-giulia", "ANCI Friuli Venezia Giulia", ["Friuli-Venezia Giulia"], 10, 9, 13),
    ("liguria", "ANCI Liguria", ["Liguria"], 10, 9, 13),
    ("lombardia", "ANCI Lombardia", ["Lombardia"], 1175, 1116, 1580),
    ("marche", "ANCI Marche", ["Marche"], 12, 10, 14),
    ("piemonte", "ANCI Piemonte", ["Piemonte"], 20, 22, 31),
    ("sardegna", "ANCI Sardegna", ["Sardegna"], 10, 9, 13),
    ("sicilia", "ANCI Sicilia", ["Sicilia"], 14, 14, 20),
    ("umbria", "ANCI Umbria", ["Umbria"], 8, 6, 9),
    ("veneto", "ANCI Veneto", ["Veneto"], 22, 24, 34),
]
# Members of the national node come from regions with no regional node.
REGIONI_NODO_NAZIONALE = ["Lazio", "Toscana", "Emilia-Romagna", "Campania", "Puglia"]
# Enti in the other adhesion states, per nodo slug: they never count.
NON_ADERENTI = {
    "lombardia": {"richiesta": 12, "in_istruttoria": 6, "da_integrare": 3, "sospeso": 4, "cessato": 5},
    "veneto": {"richiesta": 2, "cessato": 1},
    "piemonte": {"in_istruttoria": 1, "sospeso": 1},
    "anci": {"richiesta": 1},
}

NOMI_F = [
    "Giulia",
    "Sofia",
    "Aurora",
    "Alice",
    "Ginevra",
    "Emma",
    "Giorgia",
    "Greta",
    "Beatrice",
    "Anna",
    "Chiara",
    "Martina",
    "Sara",
    "Francesca",
    "Elisa",
    "Marta",
    "Camilla",
    "Noemi",
    "Arianna",
    "Elena",
    "Federica",
    "Valentina",
    "Ilaria",
    "Laura",
    "Irene",
    "Silvia",
    "Matilde",
    "Bianca",
    "Rebecca",
    "Viola",
]
NOMI_M = [
    "Leonardo",
    "Francesco",
    "Alessandro",
    "Lorenzo",
    "Mattia",
    "Andrea",
    "Gabriele",
    "Riccardo",
    "Tommaso",
    "Edoardo",
    "Matteo",
    "Giuseppe",
    "Marco",
    "Luca",
    "Davide",
    "Simone",
    "Federico",
    "Pietro",
    "Giovanni",
    "Samuele",
    "Filippo",
    "Diego",
    "Nicolò",
    "Christian",
    "Stefano",
    "Paolo",
    "Michele",
    "Emanuele",
    "Daniele",
    "Alberto",
]
COGNOMI = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
    "Palumbo",
    "Sanna",
    "Farina",
    "Rizzi",
    "Monti",
    "Cattaneo",
    "Morelli",
    "Amato",
    "Silvestri",
    "Mazza",
    "Testa",
    "Grassi",
    "Pellegrino",
    "Carbone",
    "Giuliani",
    "Brambilla",
    "Pozzi",
    "Bonetti",
    "Crippa",
    "Sironi",
    "Mauri",
    "Riva",
    "Galbiati",
    "Redaelli",
    "Locatelli",
]
VIE = [
    "Via Roma",
    "Via Garibaldi",
    "Via Mazzini",
    "Via Dante",
    "Via Manzoni",
    "Via Verdi",
    "Via Matteotti",
    "Via Marconi",
]
SEDI_TIPO = [
    "Biblioteca civica",
    "Servizi sociali",
    "Ufficio cultura",
    "Centro anziani",
    "Informagiovani",
    "Ufficio scuola",
]
TEMI = {
    "A": ["Vicini di casa", "Nessuno escluso", "Comunità che cura", "Insieme agli anziani"],
    "B": ["Territorio sicuro", "Pronti insieme"],
    "C": ["Città verde", "Ambiente bene comune"],
    "D": ["Biblioteche vive", "Memoria e territorio", "Musei aperti"],
    "E": ["Giovani al centro", "Cultura diffusa", "Scuola aperta", "Sport per tutti"],
}
SETTORI_PESI = [("A", 40), ("B", 5), ("C", 6), ("D", 19), ("E", 30)]


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def fine_servizio(inizio: datetime.date, mesi: int) -> datetime.date:
    return add_months(inizio, mesi) - datetime.timedelta(days=1)


def requisiti_olp(olp: Olp, today: datetime.date) -> None:
    """Every built OLP meets the requirements (DOMAIN.md), read from what is already drawn for
    them, so that the random sequence, hence the rest of the data, stays the same."""
    esperienza = olp.titolo_o_esperienza.startswith("Esperienza")
    olp.requisito = Olp.Requisito.ESPERIENZA if esperienza else Olp.Requisito.LAUREA
    olp.titolo_o_esperienza = olp.titolo_o_esperienza or "Laurea in scienze dell'educazione"
    olp.corso_olp_il = olp.corso_olp_il or today - datetime.timedelta(days=365)
    if olp.ore_settimanali_sede is None:
        olp.ore_settimanali_sede = rules.OLP_ORE_SETTIMANALI_MIN + len(olp.cognome) % 11


def codice_fiscale_ente(n: int) -> str:
    base = f"80{n:08d}"
    return next(base + str(d) for d in range(10) if codice_fiscale_numerico_valido(base + str(d)))


@dataclass
class _Piano:
    """What the builder decided for one hosting ente before writing rows."""

    ente: Ente
    olp_attivi: list[int] = field(default_factory=list)  # volunteers per active OLP


class DemoBuilder:
    def __init__(self, *, today: datetime.date | None = None, seed: int = SEED):
        self.today = today or timezone.localdate()
        self.rng = random.Random(seed)
        self.cf_usati: set[str] = set()
        self.n_persona = 0
        self.stats: dict[str, int] = defaultdict(int)

    # --- helpers -----------------------------------------------------------------------

    def persona(self) -> tuple[str, str, str]:
        self.n_persona += 1
        sesso = self.rng.choice("FM")
        nome = self.rng.choice(NOMI_F if sesso == "F" else NOMI_M)
        return nome, self.rng.choice(COGNOMI), sesso

    def codice_fiscale(self, cognome, nome, sesso, nascita, luogo) -> tuple[str, datetime.date]:
        for _ in range(50):
            try:
                cf = codicefiscale.encode(
                    lastname=cognome,
                    firstname=nome,
                    gender=sesso,
                    birthdate=nascita.strftime("%d/%m/%Y"),
                    birthplace=luogo,
                )
            except (ValueError, KeyError):
                luogo = "F205"  # Milano, valid at any birth date
                continue
            if cf not in self.cf_usati:
                self.cf_usati.add(cf)
                return cf, nascita
            nascita += datetime.timedelta(days=1)
        raise RuntimeError("could not make a unique tax code")

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    # --- build -------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.bando = Bando.objects.order_by("-anno").first()
        if self.bando is None:
            raise RuntimeError("No call (Bando): run `manage.py load_reference` first.")
        self.settori = {s.codice: s for s in Settore.objects.all()}
        self.aree = defaultdict(list)
        for area in Area.objects.select_related("settore"):
            self.aree[area.settore.codice].append(area)
        self.ambiti = list(AmbitoAzione.objects.all())
        self._nodi()
        self._enti()
        self._progetti_e_servizi()
        self._esperti_e_reti()
        self._presenze()
        self._questionari_e_relazioni()
        self._storie()
        self._storico_e_notizie()
        self._utenti_demo()
        return dict(self.stats)

    def _nodi(self) -> None:
        regioni = {r.nome: r for r in Regione.objects.all()}
        self.nodi: dict[str, Nodo] = {}
        for ordine, (slug, nome, nomi_regioni, *_cifre) in enumerate(NODI):
            nodo = Nodo.objects.create(
                slug=slug,
                nome=nome,
                livello=Nodo.Livello.NAZIONALE if slug == "anci" else Nodo.Livello.REGIONALE,
                ordine=0 if slug == "anci" else ordine + 1,
                email=f"serviziocivile@{slug}.anci.example",
            )
            nodo.regioni.set([regioni[n] for n in nomi_regioni])
            self.nodi[slug] = nodo
        self.stats["nodi"] = len(self.nodi)

    def _enti(self) -> None:
        comuni_per_regione = defaultdict(list)
        for c in Comune.objects.select_related("provincia__regione").order_by("codice_istat"):
            comuni_per_regione[c.provincia.regione.nome].append(c)
        today = self.today
        n_cf = 0
        enti: list[Ente] = []
        self.aderenti_per_nodo: dict[str, list[Ente]] = defaultdict(list)
        for slug, _nome, nomi_regioni, n_aderenti, _o, _v in NODI:
            pool = [c for r in (nomi_regioni or REGIONI_NODO_NAZIONALE) for c in comuni_per_regione[r]]
            self.rng.shuffle(pool)
            # Capoluoghi first, so that every regional node has its big cities.
            pool.sort(key=lambda c: not c.capoluogo)
            altri = NON_ADERENTI.get(slug, {})
            needed = n_aderenti + sum(altri.values())
            stati = [Ente.StatoAdesione.ADERENTE] * n_aderenti + [s for s, k in altri.items() for _ in range(k)]
            for i, (comune, stato) in enumerate(zip(pool[:needed], stati, strict=True)):
                n_cf += 1
                tipo = Ente.Tipo.COMUNE
                denominazione = f"Comune di {comune.nome}"
                if slug == "lombardia" and i % 29 == 28:
                    tipo, denominazione = Ente.Tipo.UNIONE_COMUNI, f"Unione dei Comuni di {comune.nome} e dintorni"
                elif slug == "lombardia" and i % 53 == 52:
                    tipo, denominazione = Ente.Tipo.AZIENDA_SPECIALE, f"Azienda Speciale Consortile {comune.nome}"
                data_richiesta = today - datetime.timedelta(days=self.rng.randint(30, 2400))
                ente = Ente(
                    denominazione=denominazione,
                    tipo=tipo,
                    codice_fiscale=codice_fiscale_ente(n_cf),
                    codice_helios=f"SU{n_cf:05d}A01",
                    comune=comune,
                    nodo=self.nodi[slug],
                    stato_adesione=stato,
                    data_richiesta=data_richiesta,
                    pec=f"protocollo.{n_cf}@pec.comune.example",
                    rappresentante_legale=" ".join(self.persona()[:2]),
                    abitanti=self.rng.randint(150_000, 1_400_000)
                    if comune.capoluogo
                    else int(self.rng.paretovariate(1.2) * 900),
                )
                if stato in (Ente.StatoAdesione.ADERENTE, Ente.StatoAdesione.SOSPESO, Ente.StatoAdesione.CESSATO):
                    ente.data_adesione = min(data_richiesta + datetime.timedelta(days=self.rng.randint(10, 60)), today)
                if stato == Ente.StatoAdesione.CESSATO:
                    ente.data_cessazione = min(
                        ente.data_adesione + datetime.timedelta(days=self.rng.randint(200, 700)), today
                    )
                enti.append(ente)
        Ente.objects.bulk_create(enti, batch_size=1000)
        for ente in enti:
            if ente.stato_adesione == Ente.StatoAdesione.ADERENTE:
                self.aderenti_per_nodo[ente.nodo.slug].append(ente)
        self.stats["enti"] = len(enti)

    def _piani(self, slug: str, n_olp: int, n_vol: int) -> list[_Piano]:
        """Spread a node's active OLP over its hosting enti and its volunteers over the OLP."""
        aderenti = self.aderenti_per_nodo[slug]
        n_ospitanti = max(1, min(len(aderenti), round(n_olp * 0.7)))
        ospitanti = sorted(aderenti, key=lambda e: -(e.abitanti or 0))[: n_ospitanti // 3] + self.rng.sample(
            sorted(aderenti, key=lambda e: -(e.abitanti or 0))[n_ospitanti // 3 :], n_ospitanti - n_ospitanti // 3
        )
        piani = [_Piano(ente=e, olp_attivi=[1]) for e in ospitanti]
        # Bigger bodies get more OLP.
        pesi = [math.log10((p.ente.abitanti or 100) + 10) ** 3 for p in piani]
        for _ in range(n_olp - len(piani)):
            self.rng.choices(piani, weights=pesi)[0].olp_attivi.append(1)
        slots = [(p, i) for p in piani for i in range(len(p.olp_attivi))]
        for _ in range(n_vol - n_olp):
            liberi = [(p, i) for p, i in slots if p.olp_attivi[i] < self.bando.max_volontari_per_olp]
            p, i = self.rng.choice(liberi)
            p.olp_attivi[i] += 1
        return piani

    def _progetti_e_servizi(self) -> None:
        today = self.today
        self.servizi_attivi: list[Servizio] = []
        self.progetti_per_nodo: dict[str, list[Progetto]] = defaultdict(list)
        olp_rows: list[Olp] = []
        sedi_rows: list[Sede] = []
        # ente -> list of (sede, [olp, ...], [volunteers per olp])
        layout = []
        for slug, _n, _r, _e, n_olp, n_vol in NODI:
            for piano in self._piani(slug, n_olp, n_vol):
                ente = piano.ente
                olp_ente = []
                for _ in piano.olp_attivi:
                    nome, cognome, _s = self.persona()
                    olp_ente.append(
                        Olp(
                            ente=ente,
                            nome=nome,
                            cognome=cognome,
                            email=f"olp{self.n_persona}@comune.example",
                            titolo_o_esperienza=self.rng.choice(
                                [
                                    "Laurea in scienze dell'educazione",
                                    "Esperienza biennale nel settore",
                                    "Laurea in lettere",
                                    "Laurea in servizio sociale",
                                ]
                            ),
                            corso_olp_il=today - datetime.timedelta(days=self.rng.randint(200, 1500)),
                            ore_settimanali_sede=rules.OLP_ORE_SETTIMANALI_MIN + self.n_persona % 11,
                        )
                    )
                olp_rows.extend(olp_ente)
                n_sedi = 1 + (len(olp_ente) - 1) // 3
                sedi_ente = []
                for k in range(n_sedi):
                    sedi_ente.append(
                        Sede(
                            ente=ente,
                            denominazione="Municipio" if k == 0 else f"{SEDI_TIPO[k % len(SEDI_TIPO)]} {k}",
                            comune=ente.comune,
                            indirizzo="Piazza Municipio" if k == 0 else VIE[k % len(VIE)],
                            civico=str(1 + k * 2),
                            cap="",
                            codice_helios=f"S{ente.codice_helios[2:7]}{k:03d}",
                        )
                    )
                sedi_rows.extend(sedi_ente)
                layout.append((ente, sedi_ente, olp_ente, piano.olp_attivi))
        # OLP who followed only volunteers of past projects: they never count.
        olp_passati = []
        for ente, _s, _o, _v in self.rng.sample(layout, 80):
            nome, cognome, _x = self.persona()
            olp_passati.append(
                (ente, Olp(ente=ente, nome=nome, cognome=cognome, email=f"olp{self.n_persona}@comune.example"))
            )
        olp_rows.extend(o for _e, o in olp_passati)
        for o in olp_rows:
            requisiti_olp(o, today)
        Olp.objects.bulk_create(olp_rows, batch_size=1000)
        Sede.objects.bulk_create(sedi_rows, batch_size=1000)
        self.stats["olp"] = len(olp_rows)
        self.stats["sedi"] = len(sedi_rows)

        # One running project per group of up to four sedi of an ente.
        progetti: list[Progetto] = []
        gruppi = []  # (progetto, [(sede, [olp], [vol per olp])])
        for ente, sedi_ente, olp_ente, vol_per_olp in layout:
            per_sede = [
                (s, olp_ente[k :: len(sedi_ente)], vol_per_olp[k :: len(sedi_ente)]) for k, s in enumerate(sedi_ente)
            ]
            for start in range(0, len(per_sede), 4):
                progetto = self._nuovo_progetto(ente, Progetto.Stato.IN_CORSO)
                progetti.append(progetto)
                gruppi.append((progetto, per_sede[start : start + 4]))
        # Past projects, concluded, of a fifth of the hosting enti.
        passati = []
        olp_passati_per_ente = defaultdict(list)
        for ente, olp in olp_passati:
            olp_passati_per_ente[ente.pk].append(olp)
        for ente, sedi_ente, olp_ente, _v in layout:
            if olp_passati_per_ente.get(ente.pk) or self.rng.random() < 0.2:
                progetto = self._nuovo_progetto(ente, Progetto.Stato.CONCLUSO, passato=True)
                progetti.append(progetto)
                olp_vecchi = olp_passati_per_ente.get(ente.pk) or olp_ente[:1]
                passati.append((progetto, sedi_ente[0], olp_vecchi))
        # Projects on their way (no volunteers yet) for other member enti.
        ospitanti = {e.pk for e, *_ in layout}
        stati_in_corso = [
            Progetto.Stato.BOZZA,
            Progetto.Stato.PRESENTATO,
            Progetto.Stato.IN_VALUTAZIONE,
            Progetto.Stato.DA_INTEGRARE,
            Progetto.Stato.APPROVATO,
            Progetto.Stato.FINANZIATO,
            Progetto.Stato.RESPINTO,
        ]
        nuovi = []
        for slug, enti_nodo in self.aderenti_per_nodo.items():
            liberi = [e for e in enti_nodo if e.pk not in ospitanti]
            for k, ente in enumerate(self.rng.sample(liberi, min(len(liberi), 60 if slug == "lombardia" else 1))):
                stato = stati_in_corso[k % len(stati_in_corso)]
                sede = Sede(
                    ente=ente, denominazione="Municipio", comune=ente.comune, indirizzo="Piazza Municipio", civico="1"
                )
                progetto = self._nuovo_progetto(ente, stato)
                progetti.append(progetto)
                nuovi.append((progetto, sede))
        Sede.objects.bulk_create([s for _p, s in nuovi])
        self.stats["sedi"] += len(nuovi)
        self._programmi(progetti)
        Progetto.objects.bulk_create(progetti, batch_size=1000)
        self.stats["progetti"] = len(progetti)

        posti: list[PostoSede] = []
        posto_olp = []
        piano_posti = []  # (posto, progetto, [(olp, n_vol)])
        for progetto, per_sede in gruppi:
            for sede, olps, vols in per_sede:
                attivi = sum(vols)
                vacanti = self.rng.choice([0, 0, 0, 1])
                totale = min(attivi + vacanti, len(olps) * self.bando.max_volontari_per_olp)
                posto = PostoSede(progetto=progetto, sede=sede, posti_senza_vitto_alloggio=totale)
                posti.append(posto)
                piano_posti.append((posto, progetto, list(zip(olps, vols, strict=True))))
        # Renounced before starting, or interrupted without replacement: they never count.
        # They held a place and an OLP's time, so both must have had room for them.
        massimo = self.bando.max_volontari_per_olp
        con_spazio = [
            (posto, progetto, pairs[0][0], sum(n for _o, n in pairs))
            for posto, progetto, pairs in piano_posti
            if pairs[0][1] < massimo and sum(n for _o, n in pairs) < len(pairs) * massimo
        ]
        extra = self.rng.sample(con_spazio, 60)
        for posto, _p, _o, attivi in extra:
            posto.posti_senza_vitto_alloggio = max(posto.posti_senza_vitto_alloggio, attivi + 1)
        for posto in posti:
            if posto.posti_totali >= 3 and self.rng.random() < 0.4:
                posto.posti_gmo = 1
        posti_passati = []
        for progetto, sede, olps in passati:
            n = self.rng.randint(1, min(4, len(olps) * 4))
            posto = PostoSede(progetto=progetto, sede=sede, posti_senza_vitto_alloggio=n)
            posti.append(posto)
            posti_passati.append((posto, progetto, olps, n))
        for progetto, sede in nuovi:
            posti.append(PostoSede(progetto=progetto, sede=sede, posti_senza_vitto_alloggio=self.rng.randint(1, 4)))
        PostoSede.objects.bulk_create(posti, batch_size=1000)
        for posto, _p, pairs in piano_posti:
            posto_olp.extend(PostoSede.olp.through(postosede_id=posto.pk, olp_id=o.pk) for o, _n in pairs)
        for posto, _p, olps, _n in posti_passati:
            posto_olp.extend(PostoSede.olp.through(postosede_id=posto.pk, olp_id=o.pk) for o in olps)
        PostoSede.olp.through.objects.bulk_create(posto_olp, batch_size=2000)
        self.stats["posti"] = len(posti)

        # Services. Active ones first: exactly the planned number per OLP.
        volontari: list[Volontario] = []
        servizi: list[tuple[Volontario, Servizio]] = []
        subentri = []  # (interrupted service, replacement)
        for posto, progetto, pairs in piano_posti:
            for olp, n_vol in pairs:
                for _ in range(n_vol):
                    inizio = progetto.data_avvio
                    sostituisce = None
                    # About one active volunteer in sixty replaced someone who left early.
                    if self.rng.random() < 1 / 60 and (today - inizio).days > 60:
                        uscita = inizio + datetime.timedelta(days=self.rng.randint(20, 50))
                        v_old, s_old = self._servizio(posto, olp, progetto, inizio)
                        s_old.stato = Servizio.Stato.INTERROTTO
                        s_old.data_fine = uscita
                        s_old.motivo_interruzione = "Rinuncia per motivi di lavoro"
                        s_old.interruzione_comunicata_il = uscita + datetime.timedelta(days=self.rng.randint(1, 5))
                        servizi.append((v_old, s_old))
                        volontari.append(v_old)
                        sostituisce = s_old
                        inizio = uscita + datetime.timedelta(days=self.rng.randint(7, 20))
                    v, s = self._servizio(posto, olp, progetto, inizio)
                    volontari.append(v)
                    servizi.append((v, s))
                    self.servizi_attivi.append(s)
                    if sostituisce is not None:
                        subentri.append((sostituisce, s))
        for k, (posto, progetto, olp, _a) in enumerate(extra):
            v, s = self._servizio(posto, olp, progetto, progetto.data_avvio)
            if k % 2 == 0:
                s.stato = Servizio.Stato.RINUNCIA
                s.data_fine = s.data_inizio
            else:
                s.stato = Servizio.Stato.INTERROTTO
                s.data_fine = max(s.data_inizio, today - datetime.timedelta(days=self.rng.randint(6, 40)))
                s.motivo_interruzione = self.rng.choice(
                    [
                        "Motivi di salute documentati",
                        "Assunzione con contratto di lavoro",
                        "Trasferimento in altra città",
                    ]
                )
                s.interruzione_comunicata_il = s.data_fine + datetime.timedelta(days=self.rng.randint(1, 4))
            volontari.append(v)
            servizi.append((v, s))
        # Concluded services of past projects.
        for posto, progetto, olps, n in posti_passati:
            for k in range(n):
                v, s = self._servizio(posto, olps[k % len(olps)], progetto, progetto.data_avvio)
                s.stato = Servizio.Stato.CONCLUSO
                volontari.append(v)
                servizi.append((v, s))
        Volontario.objects.bulk_create(volontari, batch_size=1000)
        for v, s in servizi:
            s.volontario = v
        Servizio.objects.bulk_create([s for _v, s in servizi], batch_size=1000)
        for old, new in subentri:
            new.subentra_a = old
        Servizio.objects.bulk_update([new for _old, new in subentri], ["subentra_a"])
        self.stats["volontari"] = len(volontari)
        self.stats["servizi"] = len(servizi)
        self.stats["subentri"] = len(subentri)

    def _servizio(self, posto, olp, progetto, inizio) -> tuple[Volontario, Servizio]:
        nome, cognome, sesso = self.persona()
        eta_giorni = self.rng.randint(rules.ETA_MIN * 365 + 120, (rules.ETA_MAX + 1) * 365 - 120)
        nascita = inizio - datetime.timedelta(days=eta_giorni)
        cf, nascita = self.codice_fiscale(cognome, nome, sesso, nascita, posto.sede.comune.codice_catastale)
        v = Volontario(
            codice_fiscale=cf,
            codice_volontario=f"VOL{self.n_persona:09d}",
            nome=nome,
            cognome=cognome,
            data_nascita=nascita,
            sesso=sesso,
            luogo_nascita=posto.sede.comune.nome,
            email=f"volontario{self.n_persona}@mail.example",
        )
        fine_prevista = fine_servizio(progetto.data_avvio, progetto.durata_mesi)
        s = Servizio(
            posto=posto,
            olp=olp,
            tipo_posto=Servizio.TipoPosto.SENZA_VITTO_ALLOGGIO,
            data_inizio=inizio,
            data_fine_prevista=fine_prevista,
            data_fine=fine_prevista,
        )
        return v, s

    def _nuovo_progetto(self, ente: Ente, stato: str, passato: bool = False) -> Progetto:
        today = self.today
        codice_settore = self.weighted(SETTORI_PESI)
        settore = self.settori[codice_settore]
        area = self.rng.choice(self.aree[codice_settore])
        monte_ore = self.rng.random() < 0.2
        if passato:
            durata = 12
            avvio = add_months(first_of_month(today), -self.rng.randint(16, 22))
        elif stato == Progetto.Stato.IN_CORSO:
            # Every running project ends at least three months from today.
            mesi_fa = self.rng.choice([1, 2, 3, 4, 6, 8])
            durata = 12 if mesi_fa > 4 else self.rng.choice([8, 10, 12])
            avvio = add_months(first_of_month(today), -mesi_fa)
        else:
            durata = self.rng.choice([8, 10, 12])
            avvio = None
        generale = self.rng.choice([30, 36, 42])
        progetto = Progetto(
            titolo=f"{self.rng.choice(TEMI[codice_settore])} - {ente.comune.nome}",
            codice_helios=f"PTX{ente.codice_helios[2:7]}{len(self.progetti_per_nodo[ente.nodo.slug]):04d}{codice_settore}",
            ente=ente,
            bando=self.bando,
            settore=settore,
            area=area,
            stato=stato,
            descrizione="Progetto dimostrativo della rete.",
            durata_mesi=durata,
            modello_orario=Progetto.ModelloOrario.MONTE_ORE if monte_ore else Progetto.ModelloOrario.SETTIMANALE,
            ore_settimanali=None if monte_ore else rules.ORE_SETTIMANALI,
            monte_ore=rules.monte_ore_per_durata(durata) if monte_ore else None,
            giorni_settimana=self.rng.choice([5, 5, 5, 6]),
            formazione_generale_ore=generale,
            formazione_specifica_ore=self.rng.choice([50, 60, 72]),
            data_avvio=avvio,
        )
        self.progetti_per_nodo[ente.nodo.slug].append(progetto)
        return progetto

    def _programmi(self, progetti: list[Progetto]) -> None:
        """Group each node's projects by sector into programmes of up to 25 projects."""
        per_chiave = defaultdict(list)
        for p in progetti:
            per_chiave[(p.ente.nodo.slug, p.settore.codice)].append(p)
        programmi = []
        legami = []
        for (slug, codice), lista in sorted(per_chiave.items()):
            for start in range(0, len(lista), 25):
                chunk = lista[start : start + 25]
                if len(chunk) < rules.PROGRAMMA_PROGETTI_MIN:
                    continue
                programma = Programma(
                    titolo=f"{self.nodi[slug].nome} - {self.settori[codice].nome[:60]} {start // 25 + 1}",
                    nodo=self.nodi[slug],
                    bando=self.bando,
                    obiettivo_2030=self.rng.choice(
                        [Obiettivo2030.ISTRUZIONE, Obiettivo2030.DISUGUAGLIANZE, Obiettivo2030.CITTA]
                    ),
                    ambito=self.rng.choice(self.ambiti),
                )
                programmi.append(programma)
                legami.append((programma, chunk))
        Programma.objects.bulk_create(programmi)
        for programma, chunk in legami:
            for p in chunk:
                p.programma = programma
        self.stats["programmi"] = len(programmi)

    def _esperti_e_reti(self) -> None:
        esperti = []
        for slug, nodo in self.nodi.items():
            for k in range(30 if slug == "lombardia" else 3):
                nome, cognome, _s = self.persona()
                esperti.append(
                    Esperto(
                        nodo=nodo,
                        nome=nome,
                        cognome=cognome,
                        email=f"esperto{self.n_persona}@rete.example",
                        formatore=k % 4 == 0,
                        selettore=k % 4 == 1,
                        esperto_monitoraggio=k % 4 == 2,
                        tutor=k % 4 == 3,
                        competenze=self.rng.choice(COMPETENZE_ESPERTI),
                        disponibilita_ore_mese=self.rng.choice([10, 20, 40]),
                    )
                )
        Esperto.objects.bulk_create(esperti)
        per_nodo = defaultdict(list)
        for e in esperti:
            per_nodo[e.nodo_id].append(e)
        incarichi = []
        running = Progetto.objects.filter(stato=Progetto.Stato.IN_CORSO).select_related("ente")
        for progetto in running:
            pool = [e for e in per_nodo[progetto.ente.nodo_id] if e.esperto_monitoraggio]
            if pool and self.rng.random() < 0.5:
                incarichi.append(
                    IncaricoEsperto(
                        progetto=progetto,
                        ruolo=IncaricoEsperto.Ruolo.ESPERTO_MONITORAGGIO,
                        esperto=self.rng.choice(pool),
                        stato=IncaricoEsperto.Stato.ASSEGNATO,
                        assegnato_il=timezone.now(),
                    )
                )
        IncaricoEsperto.objects.bulk_create(incarichi)
        self.stats["esperti"] = len(esperti)
        self.stats["incarichi"] = len(incarichi)

        lombardi = self.aderenti_per_nodo["lombardia"]
        reti = [
            ("Piano di zona dell'Ambito di Bergamo", ReteTerritoriale.Tipo.PIANO_DI_ZONA),
            ("Sistema bibliotecario dell'area Nord-Ovest", ReteTerritoriale.Tipo.CONSORZIO_BIBLIOTECARIO),
            ("Unione dei Comuni della Valle", ReteTerritoriale.Tipo.UNIONE_COMUNI),
            ("Piano di zona del Distretto Sud-Est", ReteTerritoriale.Tipo.PIANO_DI_ZONA),
            ("Sistema bibliotecario intercomunale", ReteTerritoriale.Tipo.CONSORZIO_BIBLIOTECARIO),
        ]
        for nome, tipo in reti:
            rete = ReteTerritoriale.objects.create(nome=nome, tipo=tipo, nodo=self.nodi["lombardia"])
            rete.enti.set(self.rng.sample(lombardi, 12))
        self.stats["reti"] = len(reti)

    def _storie(self) -> None:
        """The adhesion and assessment history behind each ente's and project's state."""
        eventi_enti = [
            EventoAdesione(ente=ente, da_stato=prima, a_stato=stato, motivo=motivo)
            for ente in Ente.objects.only("pk", "stato_adesione")
            for prima, stato, motivo in storie.storia_ente(ente.stato_adesione)
        ]
        EventoAdesione.objects.bulk_create(eventi_enti, batch_size=5000)
        eventi_progetti = [
            EventoProgetto(progetto=progetto, da_stato=prima, a_stato=stato, motivo=motivo)
            for progetto in Progetto.objects.only("pk", "stato")
            for prima, stato, motivo in storie.storia_progetto(progetto.stato)
        ]
        EventoProgetto.objects.bulk_create(eventi_progetti, batch_size=5000)
        self.stats["eventi"] = len(eventi_enti) + len(eventi_progetti)

    def _presenze(self) -> None:
        """Attendance for the three months before this one and this month to yesterday,
        and the monthly closes of the complete months."""
        today = self.today
        inizio_finestra = add_months(first_of_month(today), -3)
        ieri = today - datetime.timedelta(days=1)
        servizi = (
            Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
            .filter(data_fine__gte=inizio_finestra, data_inizio__lte=ieri)
            .select_related("posto__progetto")
            .order_by("pk")
        )
        batch: list[Presenza] = []
        chiusure: list[ChiusuraMensile] = []
        n = 0
        now = timezone.now()
        for s in servizi:
            progetto = s.posto.progetto
            giorni_lavorativi = progetto.giorni_settimana
            day = max(s.data_inizio, inizio_finestra)
            last = min(s.data_fine, ieri)
            malattia = 0
            while day <= last:
                n_giorno = (day - s.data_inizio).days
                lavorativo = day.weekday() < giorni_lavorativi
                p = Presenza(servizio=s, giorno=day, codice=Presenza.Codice.NL)
                if lavorativo:
                    # An annual quota keeps every week within 20 to 36 hours: 6 days of 7 would be 42.
                    ore = (
                        Decimal(25) / giorni_lavorativi
                        if progetto.ore_settimanali
                        else Decimal(self.rng.choice([4, 5, 6, 7] if giorni_lavorativi == 5 else [4, 5, 6]))
                    )
                    ore = ore.quantize(Decimal("0.01"))
                    p.codice, p.attivita, p.ore = Presenza.Codice.P, Presenza.Attivita.SERVIZIO, ore
                    if n_giorno < 42 and day.weekday() == 0:
                        p.attivita = Presenza.Attivita.FORMAZIONE_GENERALE
                    elif n_giorno < 70 and day.weekday() == 2:
                        p.attivita = Presenza.Attivita.FORMAZIONE_SPECIFICA
                    elif malattia > 0:
                        p.codice, p.attivita, p.ore = Presenza.Codice.MAL, "", Decimal(0)
                        malattia -= 1
                    else:
                        r = self.rng.random()
                        if r < 0.04:
                            p.codice, p.attivita, p.ore = Presenza.Codice.PR, "", Decimal(0)
                        elif r < 0.047:
                            p.codice, p.attivita, p.ore = Presenza.Codice.MAL, "", Decimal(0)
                            malattia = self.rng.randint(0, 2)
                        elif r < 0.049 and not (batch and batch[-1].servizio is s and batch[-1].codice == "DS"):
                            # One day per donation: never two blood-donation days in a row.
                            p.codice, p.attivita, p.ore = Presenza.Codice.DS, "", Decimal(0)
                batch.append(p)
                day += datetime.timedelta(days=1)
            if len(batch) >= 20_000:
                Presenza.objects.bulk_create(batch, batch_size=5000)
                n += len(batch)
                batch = []
            mese = max(first_of_month(s.data_inizio), inizio_finestra)
            while add_months(mese, 1) <= first_of_month(today) and mese <= s.data_fine:
                ultimo_mese = add_months(mese, 1) == first_of_month(today)
                chiusura = ChiusuraMensile(servizio=s, mese=mese, stato=ChiusuraMensile.Stato.CONFERMATA)
                if ultimo_mese and (today.day <= 10 or self.rng.random() < 0.05):
                    chiusura.stato = ChiusuraMensile.Stato.CONFERMA_PRELIMINARE
                # Confirmed in the first days of the next month, as most enti do by the 10th.
                dopo = add_months(mese, 1)
                giorno_conferma = min(dopo.replace(day=self.rng.randint(2, 9)), today)
                quando = timezone.make_aware(datetime.datetime.combine(giorno_conferma, datetime.time(10, 0)))
                chiusura.conferma_preliminare_il = min(quando, now)
                if chiusura.stato == ChiusuraMensile.Stato.CONFERMATA:
                    chiusura.confermata_il = min(quando, now)
                chiusure.append(chiusura)
                mese = add_months(mese, 1)
        Presenza.objects.bulk_create(batch, batch_size=5000)
        n += len(batch)
        ChiusuraMensile.objects.bulk_create(chiusure, batch_size=5000)
        self.stats["presenze"] = n
        self.stats["chiusure"] = len(chiusure)

    def _questionari_e_relazioni(self) -> None:
        """The questionnaires sent so far (most answered) and the OLP's monthly reports of
        the months in the attendance window (most written)."""
        from volontari.questionari import GIORNI_PER_COMPILARE, momenti

        today = self.today
        now = timezone.now()
        questionari, relazioni = [], []
        inizio_finestra = add_months(first_of_month(today), -3)
        servizi = Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA).filter(data_inizio__lte=today).order_by("pk")
        for s in servizi:
            for tipo, giorno in momenti(s).items():
                if giorno > today or giorno > s.data_fine:
                    continue
                q = Questionario(
                    servizio=s, tipo=tipo, inviato_il=giorno,
                    scadenza=giorno + datetime.timedelta(days=GIORNI_PER_COMPILARE),
                )  # fmt: skip
                quando = giorno + datetime.timedelta(days=self.rng.randint(1, 20))
                if quando < today and self.rng.random() < 0.85:
                    base = self.rng.choice([3, 4, 4, 5])
                    for campo in ("attivita", "olp", "formazione", "accoglienza", "soddisfazione"):
                        setattr(q, campo, max(1, min(5, base + self.rng.choice([-1, 0, 0, 1]))))
                    q.compilato_il = min(timezone.make_aware(datetime.datetime.combine(quando, datetime.time(18))), now)
                questionari.append(q)
            mese = max(first_of_month(s.data_inizio), inizio_finestra)
            while add_months(mese, 1) <= first_of_month(today) and mese <= s.data_fine:
                if self.rng.random() < 0.9:
                    criticita = self.rng.random() < 0.03
                    relazioni.append(
                        RelazioneMensile(
                            servizio=s, mese=mese, andamento=self.rng.choice([3, 4, 4, 5]),
                            obiettivi=self.rng.choice([3, 4, 4, 5]), criticita=criticita,
                            note="Assenze ripetute da chiarire con il volontario." if criticita else "",
                        )
                    )  # fmt: skip
                mese = add_months(mese, 1)
        Questionario.objects.bulk_create(questionari, batch_size=5000)
        RelazioneMensile.objects.bulk_create(relazioni, batch_size=5000)
        self.stats["questionari"] = len(questionari)
        self.stats["relazioni"] = len(relazioni)

    def _storico_e_notizie(self) -> None:
        """A year of daily snapshots of the counters (as the nightly job would have kept
        them) and a few news items of the network and of its nodes."""
        from pubblico import counters
        from pubblico.models import Istantanea, Notizia

        istantanee = []
        for giorni_fa in range(365, 0, -1):
            giorno = self.today - datetime.timedelta(days=giorni_fa)
            c = counters.calcola(giorno)
            istantanee.append(
                Istantanea(
                    giorno=giorno, **c["rete"],
                    nodi=[{k: n[k] for k in ("slug", "nome", "enti", "olp", "volontari")} for n in c["nodi"]],
                )
            )  # fmt: skip
        Istantanea.objects.bulk_create(istantanee)
        adesso = timezone.now()
        lombardia = self.nodi["lombardia"]
        notizie = [
            ("Aperto il nuovo bando per operatori volontari", "nuovo-bando-operatori-volontari",
             "Fino alle 14 del 18 febbraio i giovani tra 18 e 28 anni possono candidarsi ai progetti dei Comuni "
             "della rete.",
             "Il Dipartimento ha pubblicato il bando per la selezione degli operatori volontari.\n\nNel catalogo "
             "del portale trovi i progetti dei Comuni della rete con i posti ancora disponibili, anche quelli "
             "riservati ai giovani con minori opportunità.", None, 3),
            ("Formazione generale: il calendario dei corsi", "calendario-formazione-generale",
             "Le giornate di formazione generale organizzate dal nodo per i volontari avviati a novembre.",
             "I corsi si tengono in presenza e a distanza. Gli OLP registrano le ore nel registro presenze come "
             "formazione generale.", lombardia, 12),
            ("Monitoraggio: online i nuovi indicatori di qualità", "nuovi-indicatori-qualita",
             "Il cruscotto del portale mostra ora questionari, relazioni mensili degli OLP e criticità segnalate.",
             "Gli enti possono vedere i propri indicatori nel cruscotto di monitoraggio e ordinare i report in PDF.",
             None, 25),
        ]  # fmt: skip
        Notizia.objects.bulk_create(
            [
                Notizia(
                    titolo=t,
                    slug=slug,
                    sommario=sommario,
                    testo=testo,
                    nodo=nodo,
                    pubblicata=True,
                    pubblicata_il=adesso - datetime.timedelta(days=giorni),
                )
                for t, slug, sommario, testo, nodo, giorni in notizie
            ]
        )
        self.stats["istantanee"] = len(istantanee)
        self.stats["notizie"] = len(notizie)

    def _utenti_demo(self) -> None:
        """Named demo accounts, one per persona (README). They get a password only in
        development (DEBUG), so that a demo loaded elsewhere has no known credentials.
        Network staff and the administrator have a TOTP authenticator, as their roles
        require; development settings accept a fixed bypass code for it."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        User = get_user_model()
        password = settings.DEMO_PASSWORD if settings.DEBUG else None

        def utente(email, nome, cognome, *, mfa=False, **extra):
            user = User.objects.create_user(email=email, password=password, first_name=nome, last_name=cognome, **extra)
            if password is None:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            if mfa:
                TOTP.activate(user, generate_totp_secret())
            self.stats["utenti"] += 1
            return user

        utente("admin@demo.example", "Ada", "Amministratrice", mfa=True, is_staff=True, is_superuser=True)
        nazionale = utente("nazionale@demo.example", "Nadia", "Nazionale", mfa=True)
        Membership.objects.create(user=nazionale, ruolo=Membership.Ruolo.STAFF_NAZIONALE, nodo=self.nodi["anci"])
        for slug in ("lombardia", "veneto"):
            u = utente(f"nodo.{slug}@demo.example", "Nico", f"Nodo {slug.title()}", mfa=True)
            Membership.objects.create(user=u, ruolo=Membership.Ruolo.STAFF_NODO, nodo=self.nodi[slug])
        in_corso = Servizio.objects.in_corso(self.today).select_related("olp__ente", "volontario", "posto__sede")
        lombardi = in_corso.filter(posto__sede__ente__nodo=self.nodi["lombardia"]).order_by("pk")
        servizio = lombardi.first()
        ente = servizio.olp.ente
        altro = lombardi.exclude(posto__sede__ente=ente).first().posto.sede.ente
        referente = utente("referente@demo.example", "Renata", "Referente")
        Membership.objects.create(user=referente, ruolo=Membership.Ruolo.REFERENTE, ente=ente)
        referente_b = utente("referente.b@demo.example", "Bruno", "Referente")
        Membership.objects.create(user=referente_b, ruolo=Membership.Ruolo.REFERENTE, ente=altro)
        staff = utente("staff.ente@demo.example", "Stefania", "Staff")
        Membership.objects.create(user=staff, ruolo=Membership.Ruolo.STAFF_ENTE, ente=ente)
        sede = utente("sede@demo.example", "Sergio", "Sede")
        Membership.objects.create(user=sede, ruolo=Membership.Ruolo.RESPONSABILE_SEDE, sede=servizio.posto.sede)
        olp_user = utente("olp@demo.example", servizio.olp.nome, servizio.olp.cognome)
        Olp.objects.filter(pk=servizio.olp_id).update(user=olp_user)
        vol_user = utente("volontario@demo.example", servizio.volontario.nome, servizio.volontario.cognome)
        Volontario.objects.filter(pk=servizio.volontario_id).update(user=vol_user)


def demo_present() -> bool:
    return Nodo.objects.exists()


@transaction.atomic
def build_demo(*, today: datetime.date | None = None, seed: int = SEED) -> dict[str, int]:
    """Build the demo network in one transaction, then the daily check's worklist (what the
    daily job would find today); the counters refresh after commit."""
    from monitoraggio import allerte

    builder = DemoBuilder(today=today, seed=seed)
    stats = builder.build()
    stats["allerte"] = allerte.controlla(builder.today)["aperte"]
    counters.schedule_refresh()
    return stats


@transaction.atomic
def delete_demo() -> None:
    """Remove everything but reference data and users not created by the demo."""
    from adesioni.models import Invito, RichiestaAccesso
    from pubblico.models import Istantanea, Notizia

    Istantanea.objects.all().delete()
    Notizia.objects.all().delete()
    Invito.objects.all().delete()
    RichiestaAccesso.objects.all().delete()
    RiepilogoMensile.objects.all().delete()
    with riepiloghi_rinviati(()):  # the rollup has just been emptied
        Presenza.objects.all().delete()
    ChiusuraMensile.objects.all().delete()
    Servizio.objects.filter(subentra_a__isnull=False).delete()
    Servizio.objects.all().delete()
    Volontario.objects.all().delete()
    IncaricoEsperto.objects.all().delete()
    PostoSede.objects.all().delete()
    Progetto.objects.all().delete()
    Programma.objects.all().delete()
    Esperto.objects.all().delete()
    Olp.objects.all().delete()
    ReteTerritoriale.objects.all().delete()
    Membership.objects.all().delete()
    Sede.objects.all().delete()
    Ente.objects.all().delete()
    Nodo.objects.all().delete()
    get_user_model().objects.filter(email__endswith="@demo.example").delete()
    counters.schedule_refresh()
