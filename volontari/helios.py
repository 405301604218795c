"""Files in the Department's layouts (Helios), and safe spreadsheet exports.

Helios files: a header line, `;` as separator (fields holding `;` quoted), one record a line,
dates `dd/mm/yyyy`, ASCII only (Helios decodes them as UTF-7: accented letters are written as
the vowel and an apostrophe, `à` -> `a'`). In both layouts a cell a spreadsheet would run as
a formula starts with an apostrophe. Imports accept the same layout, in UTF-8 or Latin-1, and
are all or nothing: every wrong line is reported, nothing is written.
"""

import csv
import datetime
import io
import unicodedata
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.audit import record_event
from infra.csv_sicuro import cella_sicura

from . import regole, services
from .models import Presenza, Servizio
from .regole import Voce

INTESTAZIONE_PRESENZE = ["CodiceVolontario", "Cognome", "Nome", "Giorno", "Causale", "Note"]
INTESTAZIONE_FORMAZIONE = [
    "CodiceVolontario", "Cognome", "Nome", "Sesso", "CodiceFiscale", "DataNascita", "CodiceEnte", "Denominazione",
    "CodiceProgetto", "Titolo", "ComuneSedeProgetto", "ProvinciaSedeProgetto", "RegioneSedeProgetto",
    "IndirizzoSedeProgetto", "CAP",
]  # fmt: skip
# The import code of the Department spells paid leave POR where the manual writes PR.
CAUSALI_ALIAS = {"POR": "PR"}
MAX_BYTES = 5 * 1024 * 1024


def ascii_helios(testo: str) -> str:
    """`Nicolò D'Angelo` -> `Nicolo' D'Angelo`: accented vowels become vowel + apostrophe,
    anything else outside ASCII loses its accent or is dropped."""
    out = []
    for ch in testo or "":
        if ord(ch) < 128:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        lettera = "".join(c for c in base if ord(c) < 128)
        accentato = lettera != "" and len(base) > len(lettera)
        out.append(lettera + ("'" if accentato and lettera.lower() in "aeiou" else ""))
    return "".join(out)


def confronto(testo: str) -> str:
    """A name as compared between a file and the register: no accents, apostrophes, case."""
    base = unicodedata.normalize("NFKD", testo or "")
    return "".join(c for c in base if c.isalnum()).lower()


def _scrivi(intestazione, righe, *, helios: bool) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(intestazione)
    for riga in righe:
        # Helios files too are opened in spreadsheets: no cell may run as a formula.
        writer.writerow([cella_sicura(ascii_helios(str(c))) if helios else cella_sicura(c) for c in riga])
    testo = buffer.getvalue()
    if helios:
        return testo.encode("ascii", errors="replace")
    return "\ufeff".encode() + testo.encode("utf-8")  # the BOM tells Excel it is UTF-8


def _servizi_ente(ente, da, a):
    return (
        Servizio.objects.filter(posto__sede__ente=ente, data_inizio__lte=a, data_fine__gte=da)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("volontario", "posto__progetto", "posto__sede__comune__provincia__regione")
        .order_by("volontario__cognome", "volontario__nome")
    )


def _sempre(_servizio) -> bool:
    return True


def esporta_presenze(ente, mese: datetime.date, *, helios: bool = True, natura=_sempre) -> bytes:
    """The attendance of a month, one line per volunteer and day, in the Department's layout.
    `natura(servizio)` says whether the reader may know the nature of health-related absences:
    if not, they read as a generic absence and the notes (which may tell of health) are left out."""
    mese = services.primo_del_mese(mese)
    fine = services.ultimo_del_mese(mese)
    servizi = list(_servizi_ente(ente, mese, fine))
    righe = services.carica_mese([s.pk for s in servizi], mese)
    out = []
    for s in servizi:
        vede = natura(s)
        for giorno in sorted(righe[s.pk]):
            p = righe[s.pk][giorno]
            v = s.volontario
            out.append(
                [v.codice_volontario or "", v.cognome, v.nome, f"{giorno:%d/%m/%Y}",
                 Presenza.codice_mostrato(p.codice, natura=vede), p.nota if vede else ""]
            )  # fmt: skip
    return _scrivi(INTESTAZIONE_PRESENZE, out, helios=helios)


def esporta_formazione(ente, *, tipo: str, helios: bool = True, codice_fiscale=_sempre) -> bytes:
    """General or specific training hours per volunteer (whole hours), Department's layout.
    `codice_fiscale(servizio)` says whether the reader may see the tax code (and the birth date
    read from it): if not, both are left empty."""
    attivita = {"generale": "formazione_generale", "specifica": "formazione_specifica"}[tipo]
    colonna = "OreFormazione" if tipo == "generale" else "OreFormazioneSpecifica"
    servizi = list(
        Servizio.objects.filter(posto__sede__ente=ente)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("volontario", "posto__progetto", "posto__sede__ente", "posto__sede__comune__provincia__regione")
        .order_by("volontario__cognome", "volontario__nome")
    )
    ore = dict(
        Presenza.objects.filter(servizio__in=servizi, attivita=attivita)
        .values("servizio_id")
        .annotate(h=Sum("ore"))
        .values_list("servizio_id", "h")
    )
    out = []
    for s in servizi:
        v, sede, progetto = s.volontario, s.posto.sede, s.posto.progetto
        comune = sede.comune
        vede_cf = codice_fiscale(s)
        out.append(
            [
                v.codice_volontario or "", v.cognome, v.nome, v.sesso, v.codice_fiscale if vede_cf else "",
                f"{v.data_nascita:%d/%m/%Y}" if vede_cf else "",
                sede.ente.codice_helios or "", sede.ente.denominazione, progetto.codice_helios or "", progetto.titolo,
                comune.nome, comune.provincia.sigla, comune.provincia.regione.nome, f"{sede.indirizzo} {sede.civico}",
                sede.cap, int(ore.get(s.pk) or 0),
            ]
        )  # fmt: skip
    return _scrivi([*INTESTAZIONE_FORMAZIONE, colonna], out, helios=helios)


class ErroriImportazione(Exception):
    """The file was refused: `righe` lists (line number, message), in file order."""

    def __init__(self, righe: list[tuple[int, str]]):
        super().__init__(_("The file was not imported: no day has been written."))
        self.righe = righe


def _decodifica(dati: bytes) -> str:
    for codifica in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return dati.decode(codifica)
        except UnicodeDecodeError:
            continue
    raise ErroriImportazione([(0, _("The file is not text: save it as CSV."))])


def _ore_del_giorno(progetto) -> Decimal:
    if progetto.ore_settimanali:
        return (Decimal(progetto.ore_settimanali) / progetto.giorni_settimana).quantize(Decimal("0.01"))
    settimane = Decimal(52) * progetto.durata_mesi / 12
    return (Decimal(progetto.monte_ore) / settimane / progetto.giorni_settimana).quantize(Decimal("0.01"))


@transaction.atomic
def importa_presenze(*, acting_user, ente, dati: bytes, ip_address=None) -> int:
    """Import a file of days in the Department's attendance layout for the ente's volunteers.
    Every line is checked (layout, volunteer, date, code) and then every rule of the register
    as if the days were typed, counting earlier lines of the same file; any error refuses the
    whole file. Present days get the project's usual hours of service."""
    if len(dati) > MAX_BYTES:
        raise ErroriImportazione([(0, _("The file is larger than 5 MB."))])
    # newline="": a stray CR inside a line is a line end, as the csv module expects.
    lettore = csv.reader(io.StringIO(_decodifica(dati), newline=""), delimiter=";")
    try:
        righe = list(lettore)
    except csv.Error as exc:  # a field beyond the csv module's limit (128 KiB), or the like
        raise ErroriImportazione(
            [(lettore.line_num, _("This line cannot be read: a field is too long or a quote is not closed."))]
        ) from exc
    if not righe:
        raise ErroriImportazione([(0, _("The file is empty."))])
    intestazione = [c.strip().lower() for c in righe[0]]
    if intestazione != [c.lower() for c in INTESTAZIONE_PRESENZE]:
        raise ErroriImportazione(
            [(1, _("The first line must be the header %(h)s.") % {"h": ";".join(INTESTAZIONE_PRESENZE)})]
        )
    servizi = list(_servizi_ente(ente, datetime.date.min, datetime.date.max).select_related("posto__progetto__bando"))
    per_codice = defaultdict(list)
    for s in servizi:
        if s.volontario.codice_volontario:
            per_codice[s.volontario.codice_volontario.strip().upper()].append(s)
    errori: list[tuple[int, str]] = []
    modifiche: dict[datetime.date, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    riga_di: dict[tuple[int, datetime.date], int] = {}
    codici = set(Presenza.Codice.values)
    for numero, riga in enumerate(righe[1:], start=2):
        if not any(c.strip() for c in riga):
            errori.append((numero, _("Empty line: the file must have none.")))
            continue
        if len(riga) != len(INTESTAZIONE_PRESENZE):
            errori.append((numero, _("The line has %(n)s fields instead of 6.") % {"n": len(riga)}))
            continue
        codice_vol, cognome, nome, giorno_testo, causale, nota = (c.strip() for c in riga)
        try:
            giorno = datetime.datetime.strptime(giorno_testo, "%d/%m/%Y").date()
        except ValueError:
            errori.append((numero, _("The date %(d)s is not in the form dd/mm/yyyy.") % {"d": giorno_testo}))
            continue
        if not regole.giorno_ammesso(giorno):
            errori.append((numero, _("The date %(d)s is out of range: write a day of service.") % {"d": giorno_testo}))
            continue
        try:
            # PostgreSQL refuses NUL in text; a note longer than the register keeps is not cut.
            ProhibitNullCharactersValidator()(nota)
            MaxLengthValidator(Presenza._meta.get_field("nota").max_length)(nota)
        except ValidationError as exc:
            errori.append((numero, " ".join(exc.messages)))
            continue
        causale = CAUSALI_ALIAS.get(causale.upper(), causale.upper())
        if causale not in codici:
            errori.append((numero, _("Unknown day code: %(c)s.") % {"c": causale}))
            continue
        candidati = [
            s for s in per_codice.get(codice_vol.upper(), []) if s.data_inizio <= giorno <= s.data_fine
        ] or per_codice.get(codice_vol.upper(), [])
        if not candidati:
            errori.append((numero, _("No volunteer of the body has the code %(c)s.") % {"c": codice_vol}))
            continue
        servizio = candidati[0]
        v = servizio.volontario
        if confronto(cognome) != confronto(v.cognome) or confronto(nome) != confronto(v.nome):
            errori.append((numero, _("Surname and name do not match volunteer %(c)s.") % {"c": codice_vol}))
            continue
        if (servizio.pk, giorno) in riga_di:
            errori.append((numero, _("The same day is already on line %(n)s.") % {"n": riga_di[(servizio.pk, giorno)]}))
            continue
        riga_di[(servizio.pk, giorno)] = numero
        if causale == "P":
            voce = Voce(giorno, "P", "servizio", _ore_del_giorno(servizio.posto.progetto), nota)
        else:
            voce = Voce(giorno, causale, "", Decimal(0), nota)
        modifiche[services.primo_del_mese(giorno)][servizio.pk][giorno] = voce
    if not errori and not riga_di:
        errori.append((0, _("The file holds no day.")))
    if errori:
        raise ErroriImportazione(errori)
    scritti = 0
    try:
        # Month by month in date order, so that the caps count the earlier lines of the file.
        for mese in sorted(modifiche):
            with transaction.atomic():
                esito = services.salva_griglia(
                    acting_user=acting_user,
                    mese=mese,
                    modifiche=dict(modifiche[mese]),
                    versioni={},
                    ip_address=ip_address,
                )
            scritti += sum(esito.values())
    except services.ErroriGriglia as exc:
        trovati = [
            (riga_di[(sid, g)], m) for sid, giorni in exc.giorni.items() for g, msgs in giorni.items() for m in msgs
        ]
        for sid, msgs in exc.servizi.items():
            prima = min(n for (s, _g), n in riga_di.items() if s == sid)
            trovati.extend((prima, m) for m in msgs)
        raise ErroriImportazione(sorted(trovati)) from exc
    except PermissionDenied as exc:
        raise ErroriImportazione([(0, _("You cannot write the register of some of these volunteers."))]) from exc
    record_event(
        verb="presenze.importate",
        acting_user=acting_user,
        target=ente,
        data={"righe": len(riga_di), "giorni_scritti": scritti},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return scritti
