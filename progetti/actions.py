"""State changes of projects, programmes, places and experts: one function each, atomic,
with the acting user, an event row and the audit log; e-mails after commit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import Evento, record_event
from enti.access import ambito
from enti.actions import ruoli_verso_ente
from enti.models import Ente, Esperto, Membership, Nodo, Olp, Sede
from enti.roles import Ruolo
from enti.workflow import MacchinaStati, Transizione

from . import carico_olp, rules
from .models import EventoProgetto, IncaricoEsperto, PostoSede, Progetto, Programma

P = Progetto.Stato
RETE = frozenset({Ruolo.STAFF_NODO, Ruolo.STAFF_NAZIONALE})
REFERENTE = frozenset({Ruolo.REFERENTE})

PROGETTO = MacchinaStati(
    [
        Transizione(P.BOZZA, P.PRESENTATO, REFERENTE, azione=gettext_lazy("Submit to the node")),
        Transizione(P.DA_INTEGRARE, P.PRESENTATO, REFERENTE, azione=gettext_lazy("Submit again")),
        Transizione(P.PRESENTATO, P.IN_VALUTAZIONE, RETE, azione=gettext_lazy("Start the assessment")),
        Transizione(P.PRESENTATO, P.DA_INTEGRARE, RETE, True, gettext_lazy("Return for changes")),
        Transizione(P.IN_VALUTAZIONE, P.APPROVATO, RETE, azione=gettext_lazy("Approve")),
        Transizione(P.IN_VALUTAZIONE, P.DA_INTEGRARE, RETE, True, gettext_lazy("Return for changes")),
        Transizione(P.IN_VALUTAZIONE, P.RESPINTO, RETE, True, gettext_lazy("Reject")),
        Transizione(P.APPROVATO, P.FINANZIATO, RETE, azione=gettext_lazy("Mark as funded")),
        Transizione(P.FINANZIATO, P.IN_CORSO, RETE | REFERENTE, azione=gettext_lazy("Start the project")),
        Transizione(P.IN_CORSO, P.CONCLUSO, RETE | REFERENTE, azione=gettext_lazy("Close the project")),
    ]
)
STATI_MODIFICABILI = (P.BOZZA, P.DA_INTEGRARE)


class ErroriPosti(ValidationError):
    """The places were refused: `righe` holds, row by row, the errors of each field."""

    def __init__(self, righe: list[dict[str, list[str]]]):
        super().__init__(_("Correct the rows marked below: no place has been saved."))
        self.righe = righe


def ruoli_verso_progetto(user, progetto: Progetto) -> frozenset[str]:
    return ruoli_verso_ente(user, progetto.ente)


def _richiedi_referente(user, progetto: Progetto) -> None:
    if Ruolo.REFERENTE not in ruoli_verso_progetto(user, progetto):
        raise PermissionDenied(_("Only the referent of the lead body can change this project."))
    if progetto.stato not in STATI_MODIFICABILI:
        raise ValidationError(_("The project can be changed only while it is a draft or returned for changes."))


def _audit(verb, acting_user, progetto, data=None, ip_address=None):
    record_event(
        verb=verb,
        acting_user=acting_user,
        target=progetto,
        data=data or {},
        ip_address=ip_address,
        nodo_id=progetto.ente.nodo_id,
        ente_id=progetto.ente_id,
    )


def _come_errore(errori: dict[str, list[str]]) -> ValidationError:
    return ValidationError({k: [ValidationError(m) for m in v] for k, v in errori.items()})


@transaction.atomic
def crea_progetto(*, acting_user, ente: Ente, dati: dict, ip_address=None) -> Progetto:
    if Ruolo.REFERENTE not in ruoli_verso_ente(acting_user, ente):
        raise PermissionDenied(_("Only the referent of the body can write its projects."))
    if ente.stato_adesione != Ente.StatoAdesione.ADERENTE:
        raise ValidationError(_("A body writes projects once its adhesion to the network is approved."))
    progetto = Progetto(ente=ente, stato=P.BOZZA, **dati)
    if progetto.area_id and progetto.area.settore_id != progetto.settore_id:
        raise ValidationError({"area": _("The area does not belong to the chosen sector.")})
    progetto.save()
    EventoProgetto.objects.create(progetto=progetto, da_stato="", a_stato=P.BOZZA, autore=acting_user)
    _audit(Evento.PROGETTO_CREATO, acting_user, progetto, ip_address=ip_address)
    return progetto


@transaction.atomic
def aggiorna_progetto(*, acting_user, progetto: Progetto, dati: dict, coprogettanti=None, ip_address=None) -> Progetto:
    """Change a draft's fields; the rules of the fields given are checked together."""
    progetto = Progetto.objects.select_for_update().get(pk=progetto.pk)
    _richiedi_referente(acting_user, progetto)
    for k, v in dati.items():
        setattr(progetto, k, v)
    campi = set(dati)
    errori = rules.errori_dati(progetto, campi)
    if "formazione_specifica_tranche" in campi and (
        progetto.formazione_specifica_tranche not in Progetto.TrancheSpecifica.values
    ):
        errori.setdefault("formazione_specifica_tranche", []).append(
            _("Choose whether specific training is given in one tranche or in two.")
        )
    if "area" in campi and progetto.area.settore_id != progetto.settore_id:
        errori.setdefault("area", []).append(_("The area does not belong to the chosen sector."))
    if coprogettanti is not None:
        altri_nodi = [
            e for e in coprogettanti if e.stato_adesione != Ente.StatoAdesione.ADERENTE or e.pk == progetto.ente_id
        ]
        if altri_nodi:
            errori.setdefault("enti_coprogettanti", []).append(
                _("Co-designing bodies are other member bodies of the network.")
            )
    if errori:
        raise _come_errore(errori)
    progetto.save()
    if coprogettanti is not None:
        progetto.enti_coprogettanti.set(coprogettanti)
    _audit(Evento.PROGETTO_MODIFICATO, acting_user, progetto, {"campi": sorted(campi)}, ip_address)
    return progetto


@transaction.atomic
def salva_posti(*, acting_user, progetto: Progetto, righe: list[dict], ip_address=None) -> list[PostoSede]:
    """Replace the project's places with `righe` (sede, the places by type, GMO places, OLP):
    all rows are checked and saved together, or none is. Errors come back per row."""
    progetto = Progetto.objects.select_for_update().get(pk=progetto.pk)
    _richiedi_referente(acting_user, progetto)
    max_per_olp = progetto.bando.max_volontari_olp(progetto.settore)
    enti_ammessi = {progetto.ente_id, *progetto.enti_coprogettanti.values_list("pk", flat=True)}
    totali = [r["posti_vitto_alloggio"] + r["posti_solo_vitto"] + r["posti_senza_vitto_alloggio"] for r in righe]
    carichi = carico_olp.carichi_con_righe(progetto, [(t, r["olp"]) for t, r in zip(totali, righe, strict=True)])
    errori_righe = []
    sedi_viste = set()
    for r in righe:
        totale = r["posti_vitto_alloggio"] + r["posti_solo_vitto"] + r["posti_senza_vitto_alloggio"]
        e = rules.errori_posto(
            progetto=progetto,
            sede=r["sede"],
            totale=totale,
            gmo=r["posti_gmo"],
            olp=r["olp"],
            max_per_olp=max_per_olp,
            enti_ammessi=enti_ammessi,
            carichi=carichi,
        )
        if r["sede"].pk in sedi_viste:
            e.setdefault("sede", []).append(_("This site is already in another row."))
        sedi_viste.add(r["sede"].pk)
        errori_righe.append(e)
    if any(errori_righe):
        raise ErroriPosti(errori_righe)
    progetto.posti.all().delete()
    creati = []
    for r in righe:
        posto = PostoSede.objects.create(
            progetto=progetto,
            sede=r["sede"],
            posti_vitto_alloggio=r["posti_vitto_alloggio"],
            posti_solo_vitto=r["posti_solo_vitto"],
            posti_senza_vitto_alloggio=r["posti_senza_vitto_alloggio"],
            posti_gmo=r["posti_gmo"],
        )
        posto.olp.set(r["olp"])
        creati.append(posto)
    _audit(Evento.PROGETTO_POSTI, acting_user, progetto, {"sedi": len(creati)}, ip_address)
    return creati


@transaction.atomic
def richiedi_esperti(*, acting_user, progetto: Progetto, ruoli: set[str], ip_address=None) -> None:
    """The roles of shared experts the project asks the network for."""
    progetto = Progetto.objects.select_for_update().get(pk=progetto.pk)
    _richiedi_referente(acting_user, progetto)
    esistenti = set(progetto.incarichi.values_list("ruolo", flat=True))
    progetto.incarichi.filter(stato=IncaricoEsperto.Stato.RICHIESTO).exclude(ruolo__in=ruoli).delete()
    for ruolo in sorted(set(ruoli) - esistenti):
        IncaricoEsperto.objects.create(progetto=progetto, ruolo=ruolo)
    _audit(Evento.PROGETTO_ESPERTI_RICHIESTI, acting_user, progetto, {"ruoli": sorted(ruoli)}, ip_address)


def fotografia(progetto: Progetto) -> dict:
    """The project as submitted, in plain values, for the diff between submissions."""
    campi = [
        "titolo", "descrizione", "settore", "area", "durata_mesi", "modello_orario", "ore_settimanali", "monte_ore",
        "giorni_settimana", "ore_settimana_min", "ore_settimana_max", "formazione_generale_ore",
        "formazione_specifica_ore", "formazione_specifica_tranche", "mesi_estero", "mesi_tutoraggio",
        "ore_tutoraggio", "ore_tutoraggio_individuali", "rete",
    ]  # fmt: skip
    dati = {}
    for nome in campi:
        valore = getattr(progetto, nome)
        dati[nome] = str(valore) if valore is not None else ""
    dati["enti_coprogettanti"] = ", ".join(sorted(str(e) for e in progetto.enti_coprogettanti.all()))
    for posto in progetto.posti.select_related("sede").prefetch_related("olp").order_by("sede__denominazione"):
        dati[f"sede:{posto.sede}"] = (
            f"{posto.posti_vitto_alloggio}/{posto.posti_solo_vitto}/{posto.posti_senza_vitto_alloggio} "
            f"GMO {posto.posti_gmo}; OLP: {', '.join(sorted(str(o) for o in posto.olp.all()))}"
        )
    dati["esperti"] = ", ".join(sorted(progetto.incarichi.values_list("ruolo", flat=True)))
    return dati


def differenze(progetto: Progetto) -> list[tuple[str, str, str]]:
    """(field, previous submission, this submission) for what changed between the last two."""
    fotos = list(progetto.eventi.filter(snapshot__isnull=False).order_by("-creato_il", "-id")[:2])
    if len(fotos) < 2:
        return []
    nuova, vecchia = fotos[0].snapshot, fotos[1].snapshot
    nomi = {f.name: str(f.verbose_name) for f in Progetto._meta.get_fields() if hasattr(f, "verbose_name")}
    out = []
    for chiave in sorted(set(nuova) | set(vecchia)):
        if nuova.get(chiave, "") != vecchia.get(chiave, ""):
            out.append((nomi.get(chiave, chiave), vecchia.get(chiave, ""), nuova.get(chiave, "")))
    return out


def _avvisa(progetto: Progetto, evento: EventoProgetto, *, verso_rete: bool) -> None:
    if verso_rete:
        qs = Membership.objects.filter(ruolo=Ruolo.STAFF_NODO, nodo_id=progetto.ente.nodo_id, attiva=True)
    else:
        qs = Membership.objects.filter(ruolo=Ruolo.REFERENTE, ente_id=progetto.ente_id, attiva=True)
    destinatari = sorted(set(qs.values_list("user__email", flat=True)))
    if not destinatari:
        return
    oggetto = _("Project %(titolo)s: %(stato)s") % {"titolo": progetto.titolo, "stato": progetto.get_stato_display()}
    corpo = render_to_string("progetti/email_stato.txt", {"progetto": progetto, "evento": evento})
    transaction.on_commit(lambda: send_mail(oggetto, corpo, settings.DEFAULT_FROM_EMAIL, destinatari))


def errori_progetto(progetto) -> rules.Errori:
    """Every rule, for a project about to be submitted: what would stop its submission."""
    errori: rules.Errori = {}
    if progetto.area_id and progetto.area.settore_id != progetto.settore_id:
        rules.aggiungi_errore(errori, "area", _("The area does not belong to the chosen sector."))
    for campo, messaggi in rules.errori_dati(progetto).items():
        errori.setdefault(campo, []).extend(messaggi)
    posti = list(progetto.posti.select_related("sede").prefetch_related("olp"))
    if not posti:
        rules.aggiungi_errore(errori, "posti", _("Add at least one site with its places."))
    max_per_olp = progetto.bando.max_volontari_olp(progetto.settore)
    enti_ammessi = {progetto.ente_id, *progetto.enti_coprogettanti.values_list("pk", flat=True)}
    carichi = carico_olp.carichi_con_righe(progetto, [(p.posti_totali, list(p.olp.all())) for p in posti])
    for posto in posti:
        riga = rules.errori_posto(
            progetto=progetto,
            sede=posto.sede,
            totale=posto.posti_totali,
            gmo=posto.posti_gmo,
            olp=list(posto.olp.all()),
            max_per_olp=max_per_olp,
            enti_ammessi=enti_ammessi,
            carichi=carichi,
        )
        for messaggi in riga.values():
            for m in messaggi:
                rules.aggiungi_errore(errori, "posti", f"{posto.sede.denominazione}: {m}")
    return errori


@transaction.atomic
def cambia_stato_progetto(
    *, acting_user, progetto: Progetto, a: str, motivo: str = "", commento: str = "", ip_address=None
) -> Progetto:
    progetto = Progetto.objects.select_for_update().select_related("ente", "bando", "settore").get(pk=progetto.pk)
    da = progetto.stato
    ruoli = ruoli_verso_progetto(acting_user, progetto)
    PROGETTO.verifica(da=da, a=a, ruoli=ruoli, motivo=motivo)
    snapshot = None
    if a == P.PRESENTATO:
        errori = errori_progetto(progetto)
        if errori:
            raise _come_errore(errori)
        snapshot = fotografia(progetto)
    if a == P.IN_CORSO and progetto.data_avvio is None:
        progetto.data_avvio = timezone.localdate()
    progetto.stato = a
    progetto.save()
    evento = EventoProgetto.objects.create(
        progetto=progetto, da_stato=da, a_stato=a, motivo=motivo.strip(), commento=commento.strip(),
        snapshot=snapshot, autore=acting_user,
    )  # fmt: skip
    _audit(Evento.progetto(a), acting_user, progetto, {"da": da, "a": a, "motivo": motivo.strip()}, ip_address)
    _avvisa(progetto, evento, verso_rete=not (ruoli & RETE))
    return progetto


@transaction.atomic
def commenta_progetto(*, acting_user, progetto: Progetto, commento: str, ip_address=None) -> EventoProgetto:
    ruoli = ruoli_verso_progetto(acting_user, progetto)
    if not ruoli & (RETE | REFERENTE):
        raise PermissionDenied(_("Your role cannot comment on this project."))
    if not commento.strip():
        raise ValidationError({"commento": _("Write the comment.")})
    try:
        ProhibitNullCharactersValidator()(commento)  # PostgreSQL refuses NUL in text
    except ValidationError as exc:
        raise ValidationError({"commento": exc.messages}) from exc
    evento = EventoProgetto.objects.create(
        progetto=progetto,
        da_stato=progetto.stato,
        a_stato=progetto.stato,
        commento=commento.strip(),
        autore=acting_user,
    )
    _audit(Evento.PROGETTO_COMMENTO, acting_user, progetto, ip_address=ip_address)
    return evento


@transaction.atomic
def assegna_esperto(*, acting_user, incarico: IncaricoEsperto, esperto: Esperto, ip_address=None) -> IncaricoEsperto:
    """Nodo staff give a requested role to an expert of their pool."""
    incarico = IncaricoEsperto.objects.select_for_update().select_related("progetto__ente").get(pk=incarico.pk)
    progetto = incarico.progetto
    if not ruoli_verso_progetto(acting_user, progetto) & RETE:
        raise PermissionDenied(_("Only the node's staff assign shared experts."))
    a = ambito(acting_user)
    if not (a.nazionale or esperto.nodo_id in a.nodi) or not esperto.attivo:
        raise ValidationError({"esperto": _("This expert is not in your node's pool.")})
    if not getattr(esperto, incarico.ruolo):
        raise ValidationError(
            {"esperto": _("This expert does not work as %(ruolo)s.") % {"ruolo": incarico.get_ruolo_display()}}
        )
    incarico.esperto = esperto
    incarico.stato = IncaricoEsperto.Stato.ASSEGNATO
    incarico.assegnato_da = acting_user
    incarico.assegnato_il = timezone.now()
    try:
        with transaction.atomic():
            incarico.save()
    except IntegrityError as exc:
        raise ValidationError({"esperto": _("This expert already has this role in the project.")}) from exc
    _audit(
        Evento.ESPERTO_ASSEGNATO, acting_user, progetto, {"esperto": esperto.pk, "ruolo": incarico.ruolo}, ip_address
    )
    return incarico


@transaction.atomic
def salva_sede(*, acting_user, ente: Ente, dati: dict, sede: Sede | None = None, ip_address=None) -> Sede:
    """Add or change a sede of the ente; one sede per address (the database agrees)."""
    if Ruolo.REFERENTE not in ruoli_verso_ente(acting_user, ente):
        raise PermissionDenied(_("Only the referent of the body manages its sites."))
    if sede is not None and sede.ente_id != ente.pk:
        raise PermissionDenied(_("This site belongs to another body."))
    sede = sede or Sede(ente=ente)
    for k, v in dati.items():
        setattr(sede, k, v.strip() if isinstance(v, str) else v)
    duplicata = (
        Sede.objects.filter(ente=ente, comune=sede.comune, indirizzo__iexact=sede.indirizzo, civico__iexact=sede.civico)
        .exclude(pk=sede.pk)
        .exists()
    )
    if duplicata:
        raise ValidationError({"indirizzo": _("The body already has a site at this address.")})
    try:
        with transaction.atomic():
            sede.save()
    except IntegrityError as exc:  # a concurrent save of the same address
        raise ValidationError({"indirizzo": _("The body already has a site at this address.")}) from exc
    record_event(
        verb=Evento.SEDE_SALVATA,
        acting_user=acting_user,
        target=sede,
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return sede


@transaction.atomic
def chiudi_sede(*, acting_user, sede: Sede, data_chiusura=None, ip_address=None) -> Sede:
    sede = Sede.objects.select_for_update().select_related("ente").get(pk=sede.pk)
    if Ruolo.REFERENTE not in ruoli_verso_ente(acting_user, sede.ente):
        raise PermissionDenied(_("Only the referent of the body manages its sites."))
    in_uso = PostoSede.objects.filter(sede=sede, progetto__stato=P.IN_CORSO).select_related("progetto").first()
    if in_uso is not None:
        raise ValidationError(
            _("The site hosts the running project %(progetto)s: it can be closed when the project ends.")
            % {"progetto": in_uso.progetto.titolo}
        )
    sede.data_chiusura = data_chiusura or timezone.localdate()
    sede.save(update_fields=["data_chiusura"])
    record_event(
        verb=Evento.SEDE_CHIUSA, acting_user=acting_user, target=sede, ip_address=ip_address,
        nodo_id=sede.ente.nodo_id, ente_id=sede.ente_id,
    )  # fmt: skip
    return sede


@transaction.atomic
def salva_olp(*, acting_user, ente: Ente, dati: dict, olp: Olp | None = None, ip_address=None) -> Olp:
    """The referente records an OLP of the body with the requirements a project checks when it
    names them (rules.requisiti_olp_mancanti): refused at the field that lacks one."""
    if Ruolo.REFERENTE not in ruoli_verso_ente(acting_user, ente):
        raise PermissionDenied(_("Only the referent of the body can record its OLP."))
    errori: dict[str, list[str]] = {}
    ore = dati.get("ore_settimanali_sede")
    if ore is not None and ore < rules.OLP_ORE_SETTIMANALI_MIN:
        errori["ore_settimanali_sede"] = [
            _("An OLP is at the site at least %(n)s hours a week.") % {"n": rules.OLP_ORE_SETTIMANALI_MIN}
        ]
    corso = dati.get("corso_olp_il")
    if corso is not None and corso > timezone.localdate():
        errori["corso_olp_il"] = [_("Record the OLP course once it has been attended.")]
    if errori:
        raise ValidationError(errori)
    olp = Olp.objects.select_for_update().get(pk=olp.pk, ente=ente) if olp else Olp(ente=ente)
    for campo, valore in dati.items():
        setattr(olp, campo, valore.strip() if isinstance(valore, str) else valore)
    olp.full_clean()
    olp.save()
    record_event(
        verb=Evento.OLP_SALVATO, acting_user=acting_user, target=olp, ip_address=ip_address,
        nodo_id=ente.nodo_id, ente_id=ente.pk,
    )  # fmt: skip
    return olp


def olp_disponibili(progetto: Progetto):
    return Olp.objects.filter(
        ente_id__in=[progetto.ente_id, *progetto.enti_coprogettanti.values_list("pk", flat=True)], attivo=True
    )


# --- Programmes and the shared experts pool (nodo staff) ----------------------------------


def nodi_gestiti(user):
    """The nodi whose programmes and experts the user keeps: all for national staff, their own
    for nodo staff."""
    return Nodo.objects.visible_to(user)


def progetti_per_programma(user, nodi):
    """The projects a programme of these nodi may gather: those of their enti the user sees,
    except rejected ones."""
    return Progetto.objects.visible_to(user).filter(ente__nodo__in=nodi).exclude(stato=Progetto.Stato.RESPINTO)


@transaction.atomic
def salva_programma(*, acting_user, programma: Programma, progetti, ip_address=None) -> Programma:
    """Save a programme (new or changed, already validated by its form) with exactly the
    chosen projects: the others leave it; audited."""
    programma.save()
    scelti = [p.pk for p in progetti]
    Progetto.objects.filter(programma=programma).exclude(pk__in=scelti).update(programma=None)
    Progetto.objects.filter(pk__in=scelti).update(programma=programma)
    record_event(
        verb=Evento.PROGRAMMA_SALVATO,
        acting_user=acting_user,
        target=programma,
        ip_address=ip_address,
        nodo_id=programma.nodo_id,
    )
    return programma


def salva_esperto(*, acting_user, esperto: Esperto, ip_address=None) -> Esperto:
    """Save an expert of the pool (already validated by its form); audited."""
    esperto.save()
    record_event(
        verb=Evento.ESPERTO_SALVATO,
        acting_user=acting_user,
        target=esperto,
        ip_address=ip_address,
        nodo_id=esperto.nodo_id,
    )
    return esperto
