"""Files in the Department's layouts (Helios), and safe spreadsheet exports.

Helios files: a header line, `;` as separator (fields holding `;` quoted), one record a line,
dates `dd/mm/yyyy`, ASCII only (Helios decodes them as UTF-7: accented letters are written as
the vowel and an apostrophe, `à` -> `a'`). In both layouts a cell a spreadsheet would run as
a formula starts with an apostrophe. Imports accept the same layout, in UTF-8 or Latin-1, and
are all or nothing: every wrong line is reported, nothing is written.

A file in the Department's layout is one the Department takes, or it is not produced
(FileNonValido, shown with the reason): no ASS for the roles that see health-related days
masked, no empty tax code, no volunteer without CodiceVolontario, no note beyond the Note
column, line breaks inside a cell written as spaces. The spreadsheet files have no such
conditions.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.audit import Evento, record_event
from enti import policy
from enti.access import ambito
from infra.csv_sicuro import cella_sicura

from . import actions, rules
from .models import Presenza, Servizio, Volontario
from .rules import Voce

INTESTAZIONE_PRESENZE = ["CodiceVolontario", "Cognome", "Nome", "Giorno", "Causale", "Note"]
INTESTAZIONE_FORMAZIONE = [
    "CodiceVolontario", "Cognome", "Nome", "Sesso", "CodiceFiscale", "DataNascita", "CodiceEnte", "Denominazione",
    "CodiceProgetto", "Titolo", "ComuneSedeProgetto", "ProvinciaSedeProgetto", "RegioneSedeProgetto",
    "IndirizzoSedeProgetto", "CAP",
]  # fmt: skip
# The import code of the Department spells paid leave POR where the manual writes PR.
CAUSALI_ALIAS = {"POR": "PR"}
MAX_BYTES = 5 * 1024 * 1024
# The Note column holds what the register keeps, counted as the file writes it (ASCII).
NOTA_MAX = Presenza._meta.get_field("nota").max_length
DATA = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


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


def testo_helios(testo) -> str:
    """A cell as an Helios file writes it: ASCII, on one line (one record a line), formula-safe."""
    return cella_sicura(" ".join(ascii_helios("" if testo is None else str(testo)).splitlines()))


def verifica_nota(nota: str) -> None:
    """A day's note must fit the Department's Note column as the file writes it: an accented
    letter takes two characters there (`à` -> `a'`)."""
    lunghezza = len(testo_helios(nota))
    if lunghezza > NOTA_MAX:
        raise ValidationError(
            _(
                "The note is too long for the Department's file: written as Helios reads it (an accented "
                "letter takes two characters, à becomes a') it has %(n)s characters, at most %(max)s."
            ),
            code="nota_helios",
            params={"n": lunghezza, "max": NOTA_MAX},
        )


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
        writer.writerow([testo_helios(c) if helios else cella_sicura(c) for c in riga])
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


class FileNonValido(Exception):
    """An Helios file that the Department would refuse is not produced: `messaggi` says why,
    `senza_codice` lists the volunteers whose Department code is missing."""

    def __init__(self, messaggi: list[str], senza_codice=()):
        super().__init__(_("The file for Helios was not produced: the Department would refuse it."))
        self.messaggi = messaggi
        self.senza_codice = list(senza_codice)


def _senza_codice(servizi) -> list:
    volontari = {s.volontario_id: s.volontario for s in servizi if not (s.volontario.codice_volontario or "").strip()}
    return list(volontari.values())


def _messaggio_senza_codice(volontari) -> list[str]:
    if not volontari:
        return []
    return [_("These volunteers have no Department code (CodiceVolontario): write it before downloading the file.")]


def esporta_presenze(ente, mese: datetime.date, *, helios: bool = True, natura=_sempre) -> bytes:
    """The attendance of a month, one line per volunteer and day, in the Department's layout.
    `natura(servizio)` says whether the reader may know the nature of health-related absences:
    if not, they read as a generic absence and the notes (which may tell of health) are left out.
    The Helios layout is produced only when Helios would take it (FileNonValido otherwise):
    no ASS (not a Department code), no volunteer without code, no note over NOTA_MAX."""
    mese = actions.primo_del_mese(mese)
    fine = actions.ultimo_del_mese(mese)
    servizi = list(_servizi_ente(ente, mese, fine))
    if helios and not all(natura(s) for s in servizi):
        raise FileNonValido(
            [
                _(
                    "Your role sees health-related absences as ASS, which is not a Department code: "
                    "download the file for spreadsheets instead. The body produces the file for Helios."
                )
            ]
        )
    righe = actions.carica_mese([s.pk for s in servizi], mese)
    out = []
    note_lunghe = []
    for s in servizi:
        vede = natura(s)
        for giorno in sorted(righe[s.pk]):
            p = righe[s.pk][giorno]
            v = s.volontario
            nota = p.nota if vede else ""
            if helios:
                try:
                    verifica_nota(nota)
                except ValidationError as exc:
                    dove = {"cognome": v.cognome, "nome": v.nome, "giorno": f"{giorno:%d/%m/%Y}"}
                    messaggio = _("Note of %(cognome)s %(nome)s on %(giorno)s: %(errore)s")
                    note_lunghe.append(messaggio % (dove | {"errore": exc.messages[0]}))
            out.append(
                [v.codice_volontario or "", v.cognome, v.nome, f"{giorno:%d/%m/%Y}",
                 Presenza.codice_mostrato(p.codice, natura=vede), nota]
            )  # fmt: skip
    if helios:
        senza_codice = _senza_codice(s for s in servizi if righe[s.pk])
        if senza_codice or note_lunghe:
            raise FileNonValido(_messaggio_senza_codice(senza_codice) + note_lunghe, senza_codice)
    return _scrivi(INTESTAZIONE_PRESENZE, out, helios=helios)


def esporta_formazione(ente, *, tipo: str, helios: bool = True, codice_fiscale=_sempre) -> bytes:
    """General or specific training hours per volunteer (whole hours), Department's layout.
    `codice_fiscale(servizio)` says whether the reader may see the tax code (and the birth date
    read from it): if not, both are left empty, and the Helios layout (which needs them) is
    not produced; nor is it with a volunteer without code (FileNonValido)."""
    attivita = {"generale": "formazione_generale", "specifica": "formazione_specifica"}[tipo]
    colonna = "OreFormazione" if tipo == "generale" else "OreFormazioneSpecifica"
    servizi = list(
        Servizio.objects.filter(posto__sede__ente=ente)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("volontario", "posto__progetto", "posto__sede__ente", "posto__sede__comune__provincia__regione")
        .order_by("volontario__cognome", "volontario__nome")
    )
    if helios:
        if not all(codice_fiscale(s) for s in servizi):
            raise FileNonValido(
                [
                    _(
                        "Your role does not see the volunteers' tax codes, which the Department's file needs: "
                        "download the file for spreadsheets instead. The body produces the file for Helios."
                    )
                ]
            )
        senza_codice = _senza_codice(servizi)
        if senza_codice:
            raise FileNonValido(_messaggio_senza_codice(senza_codice), senza_codice)
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


CODICE_VOLONTARIO = re.compile(r"[A-Za-z0-9]{1,15}")


@transaction.atomic
def imposta_codice_volontario(*, acting_user, volontario, codice: str, ip_address=None) -> None:
    """Write the Department's code of a volunteer (CodiceVolontario of the attendance files),
    for the ente of one of their actions. Letters and digits, up to 15, someone's only."""
    servizio = (
        Servizio.objects.filter(volontario=volontario)
        .select_related("posto__sede__ente")
        .order_by("-data_inizio")
        .filter(posto__sede__ente_id__in=ambito(acting_user).enti)
        .first()
    )
    if servizio is None or not policy.puo_gestire_ente(acting_user, servizio.posto.sede.ente_id):
        raise PermissionDenied(_("Only the body of the volunteer's service writes their code."))
    codice = (codice or "").strip()
    if not CODICE_VOLONTARIO.fullmatch(codice):
        raise ValidationError(_("The volunteer code is made of letters and digits, at most 15."))
    if Volontario.objects.filter(codice_volontario__iexact=codice).exclude(pk=volontario.pk).exists():
        raise ValidationError(_("Another volunteer already has this code."))
    prima = volontario.codice_volontario or ""
    Volontario.objects.filter(pk=volontario.pk).update(codice_volontario=codice)
    volontario.codice_volontario = codice
    ente = servizio.posto.sede.ente
    record_event(
        verb=Evento.VOLONTARIO_CODICE_HELIOS,
        acting_user=acting_user,
        target=volontario,
        data={"prima": prima, "dopo": codice},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )


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


def _righe(testo: str) -> list[list[str]]:
    """The file's records, one a line (the Department's layout): a record that runs over
    several lines (a quote opened and not closed on its line) would swallow the next lines
    into a field, so it refuses the file, naming the line. A single empty last line is
    accepted, as the Department's importer does."""
    # newline="": a stray CR inside a line is a line end, as the csv module expects.
    # strict: a quote still open at the end of the file, or text after a closing quote, is an error.
    lettore = csv.reader(io.StringIO(testo, newline=""), delimiter=";", strict=True)
    righe, errori = [], []
    try:
        for riga in lettore:
            numero = len(righe) + 1
            if lettore.line_num != numero:
                errori.append(
                    (numero, _("A quote opened on this line is not closed on it: each line must be one record."))
                )
                break  # the lines after it were read into the field: their numbers are lost
            righe.append(riga)
    except csv.Error:  # a field beyond the csv module's limit (128 KiB), a quote never closed
        errori.append((len(righe) + 1, _("This line cannot be read: a field is too long or a quote is not closed.")))
    if errori:
        raise ErroriImportazione(errori)
    if len(righe) > 1 and not righe[-1]:
        righe.pop()
    return righe


def _leggi_data(testo: str) -> datetime.date:
    """A dd/mm/yyyy date; ValidationError if it is not in that form or does not exist."""
    trovata = DATA.fullmatch(testo)
    if not trovata:
        raise ValidationError(_("The date %(d)s is not in the form dd/mm/yyyy.") % {"d": testo})
    giorno, mese, anno = (int(x) for x in trovata.groups())
    try:
        return datetime.date(anno, mese, giorno)
    except ValueError:
        raise ValidationError(_("The date %(d)s does not exist.") % {"d": testo}) from None


def _ore_del_giorno(progetto) -> Decimal:
    if progetto.ore_settimanali:
        return (Decimal(progetto.ore_settimanali) / progetto.giorni_settimana).quantize(Decimal("0.01"))
    settimane = Decimal(52) * progetto.durata_mesi / 12
    return (Decimal(progetto.monte_ore) / settimane / progetto.giorni_settimana).quantize(Decimal("0.01"))


def _errori_del_mese(exc, da_scrivere, riga_di, trovati) -> bool:
    """Put the register's errors at the lines of the file (a volunteer's month-wide error at
    their first line of the month) and take those days (or that volunteer's month) out of
    `da_scrivere`. False if nothing could be taken out."""
    tolti = False
    for sid, giorni in exc.giorni.items():
        for g, msgs in giorni.items():
            trovati.extend((riga_di.get((sid, g)) or _prima_riga(sid, da_scrivere, riga_di), m) for m in msgs)
            tolti |= da_scrivere.get(sid, {}).pop(g, None) is not None
    for sid, msgs in exc.servizi.items():
        trovati.extend((_prima_riga(sid, da_scrivere, riga_di), m) for m in msgs)
        tolti |= da_scrivere.pop(sid, None) is not None
    if not tolti:  # an error the days cannot be blamed for: said at the month's first line
        trovati.append((min(_prima_riga(sid, da_scrivere, riga_di) for sid in da_scrivere), exc.messages[0]))
    for sid in [sid for sid, giorni in da_scrivere.items() if not giorni]:
        del da_scrivere[sid]
    return tolti


def _prima_riga(sid, da_scrivere, riga_di) -> int:
    righe = [riga_di[(sid, g)] for g in da_scrivere.get(sid, {}) if (sid, g) in riga_di]
    return min(righe, default=0)


@transaction.atomic
def importa_presenze(*, acting_user, ente, dati: bytes, ip_address=None) -> int:
    """Import a file of days in the Department's attendance layout for the ente's volunteers.
    Every line is checked (layout, volunteer, date, code, note) and then every rule of the
    register as if the days were typed, counting earlier lines of the same file, in every
    month; any error refuses the whole file, and all of them are reported, each at its line.
    Present days get the project's usual hours of service."""
    if len(dati) > MAX_BYTES:
        raise ErroriImportazione([(0, _("The file is larger than 5 MB."))])
    righe = _righe(_decodifica(dati))
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
            giorno = _leggi_data(giorno_testo)
        except ValidationError as exc:
            errori.append((numero, exc.messages[0]))
            continue
        if not rules.giorno_ammesso(giorno):
            errori.append((numero, _("The date %(d)s is out of range: write a day of service.") % {"d": giorno_testo}))
            continue
        try:
            # PostgreSQL refuses NUL in text; a note longer than the register keeps is not cut.
            ProhibitNullCharactersValidator()(nota)
            MaxLengthValidator(NOTA_MAX)(nota)
            verifica_nota(nota)
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
        modifiche[actions.primo_del_mese(giorno)][servizio.pk][giorno] = voce
    if not errori and not riga_di:
        errori.append((0, _("The file holds no day.")))
    scritti, trovati = 0, list(errori)
    # Month by month in date order, so that the caps count the earlier lines of the file. A
    # month that breaks a rule is tried again without its wrong days, so that the next months
    # are checked too (counting its right days): every month's errors are reported at once.
    for mese in sorted(modifiche):
        da_scrivere = {sid: dict(giorni) for sid, giorni in modifiche[mese].items()}
        while da_scrivere:
            try:
                with transaction.atomic():
                    esito = actions.salva_griglia(
                        acting_user=acting_user, mese=mese, modifiche=da_scrivere, versioni={}, ip_address=ip_address
                    )
            except actions.ErroriGriglia as exc:
                if not _errori_del_mese(exc, da_scrivere, riga_di, trovati):
                    break
                continue
            except PermissionDenied as exc:
                raise ErroriImportazione(
                    [(0, _("You cannot write the register of some of these volunteers."))]
                ) from exc
            scritti += sum(esito.values())
            break
    if trovati:
        # In file order, each message once (a day may break a rule on each try of its month).
        raise ErroriImportazione(sorted(set(trovati), key=lambda e: (e[0], trovati.index(e))))
    record_event(
        verb=Evento.PRESENZE_IMPORTATE,
        acting_user=acting_user,
        target=ente,
        data={"righe": len(riga_di), "giorni_scritti": scritti},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return scritti
