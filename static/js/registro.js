// The register's pages (the month grid, today's attendance): the row follows its code,
// arrow keys move between cells, "all present" fills today's empty rows, the phone shows
// one volunteer at a time, and unsaved edits survive a dropped connection (localStorage)
// and a page left by mistake (beforeunload). No inline script or style: the CSP forbids them.
// Everything is bound by delegation on document, so it keeps working after htmx swaps the
// form in again.
(function () {
  "use strict";

  const CON_ORE = ["P"];
  let modificato = false;

  function modulo(el) {
    return el.closest("form[data-registro]");
  }

  // --- The row follows the code -----------------------------------------------------------

  // Hours and activity belong to P days only: another code hides and clears them (the
  // server drops them too, views_registro._leggi).
  function segui(codice) {
    const cella = codice.closest("[data-cella]");
    if (!cella) return;
    const soloP = cella.querySelector(".solo-p");
    if (!soloP) return;
    const valore = codice.value.trim().toUpperCase();
    const conOre = CON_ORE.includes(valore);
    soloP.hidden = !conOre;
    if (!conOre) {
      soloP.querySelectorAll("input").forEach((i) => { i.value = ""; });
      soloP.querySelectorAll("select").forEach((s) => { s.selectedIndex = 0; });
    }
  }

  document.addEventListener("input", function (e) {
    const f = modulo(e.target);
    if (!f) return;
    if (e.target.matches("input.codice")) {
      const inizio = e.target.selectionStart;
      e.target.value = e.target.value.toUpperCase();
      e.target.setSelectionRange(inizio, inizio);
      segui(e.target);
    }
    modificato = true;
    salvaBozza(f);
  });
  document.addEventListener("change", function (e) {
    const f = modulo(e.target);
    if (!f) return;
    if (e.target.matches("input.codice")) segui(e.target);
    if (e.target.matches("[data-scelta-colonna]")) {
      mostraColonna(f, e.target.value);
      return;
    }
    modificato = true;
    salvaBozza(f);
  });

  // --- Keyboard: arrows move between cells ------------------------------------------------

  // Up and down move to the same field of the day above or below; left and right move to the
  // neighbouring field when the caret is at the edge of the text. A code is typed (P, NL,
  // PR...) in a text field with suggestions: a select would take the arrows for itself.
  function campi(f) {
    return Array.from(f.querySelectorAll("[data-cella] input.codice, [data-cella] input.ore"))
      .filter((el) => el.offsetParent !== null);
  }

  document.addEventListener("keydown", function (e) {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || !el.closest("[data-cella]") || e.altKey || e.ctrlKey || e.metaKey) return;
    const f = modulo(el);
    if (!f) return;
    let destinazione = null;
    if (e.key === "Enter") {
      // Enter saves. Left to the browser, it would press the form's first submit button: on
      // the month grid that is a "fill the week", which discarded what was typed.
      const salva = f.querySelector("[data-salva]");
      if (salva) {
        e.preventDefault();
        salva.click();
      }
      return;
    }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      // The grid: the same column of the next row; today's page: the next volunteer's item.
      const contenitore = el.closest("td, li");
      if (!contenitore) return;
      const elenco = contenitore.tagName === "LI";
      const col = contenitore.dataset.col;
      const tipo = el.classList.contains("ore") ? "input.ore" : "input.codice";
      const passo = (n) => (e.key === "ArrowDown" ? n.nextElementSibling : n.previousElementSibling);
      let r = passo(elenco ? contenitore : contenitore.parentElement);
      while (r && !destinazione) {
        const cella = elenco ? r : r.querySelector(`td[data-col="${col}"]`);
        const c = cella && (cella.querySelector(tipo + ":not([hidden] *)") || cella.querySelector("input.codice"));
        if (c && c.offsetParent !== null) destinazione = c;
        r = passo(r);
      }
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      // A field reached with the arrows has its text selected, as in a spreadsheet: the next
      // arrow moves on; otherwise the caret moves within the text until its edge.
      const tutto = el.selectionStart === 0 && el.selectionEnd === el.value.length;
      const fine = tutto || (el.selectionStart === el.value.length && el.selectionEnd === el.value.length);
      const inizio = tutto || (el.selectionStart === 0 && el.selectionEnd === 0);
      if ((e.key === "ArrowRight" && !fine) || (e.key === "ArrowLeft" && !inizio)) return;
      const tutti = campi(f);
      const i = tutti.indexOf(el);
      destinazione = tutti[e.key === "ArrowRight" ? i + 1 : i - 1] || null;
    } else {
      return;
    }
    if (destinazione) {
      e.preventDefault();
      destinazione.focus();
      destinazione.select();
    }
  });

  // --- Today: all present ------------------------------------------------------------------

  document.addEventListener("click", function (e) {
    const bottone = e.target.closest("[data-tutti-presenti]");
    if (!bottone) return;
    const f = modulo(bottone);
    f.querySelectorAll("[data-usuale]").forEach(function (riga) {
      const codice = riga.querySelector("input.codice");
      if (!codice || codice.value.trim()) return;
      codice.value = riga.dataset.usuale;
      segui(codice);
      const ore = riga.querySelector("input.ore");
      if (ore && riga.dataset.usuale === "P") ore.value = riga.dataset.oreUsuali;
    });
    modificato = true;
    salvaBozza(f);
  });

  // --- The phone: one volunteer at a time ---------------------------------------------------

  let colonnaScelta = null;

  function mostraColonna(f, col) {
    colonnaScelta = String(col);
    f.querySelectorAll("[data-col]").forEach(function (el) {
      el.classList.toggle("col-attiva", el.dataset.col === String(col));
    });
  }

  // --- Unsaved edits: kept until saved, restored with a notice ----------------------------

  function chiave(f) {
    return "registro-bozza:" + f.dataset.bozza;
  }

  function valori(f) {
    const out = {};
    f.querySelectorAll("[data-cella] input, [data-cella] select").forEach(function (el) {
      if (el.name) out[el.name] = el.value;
    });
    return out;
  }

  function salvaBozza(f) {
    if (!f || !f.dataset.bozza) return;
    try {
      localStorage.setItem(chiave(f), JSON.stringify({valori: valori(f), quando: Date.now()}));
    } catch (err) {
      // Storage full or refused (private mode): the beforeunload guard still protects.
    }
  }

  function leggiBozza(f) {
    try {
      return JSON.parse(localStorage.getItem(chiave(f)) || "null");
    } catch (err) {
      return null;
    }
  }

  function scartaBozza(f) {
    try {
      localStorage.removeItem(chiave(f));
    } catch (err) {
      // nothing to remove
    }
  }

  // A form just saved (data-salvato) drops its draft; a form loaded with a draft that differs
  // from what the server shows gets the draft back, with a notice.
  function prepara(f) {
    if (!f || !f.dataset.bozza) return;
    if (f.hasAttribute("data-salvato")) {
      scartaBozza(f);
      modificato = false;
      return;
    }
    if (f.querySelector("[data-riepilogo]")) {
      // A refused save shows what was typed: the draft stays until it is saved.
      salvaBozza(f);
      return;
    }
    const bozza = leggiBozza(f);
    if (!bozza || !bozza.valori) return;
    const attuali = valori(f);
    let diversi = 0;
    Object.entries(bozza.valori).forEach(function ([nome, valore]) {
      // An empty field of the draft gives way to what the server has: "fill the week" just
      // wrote it, and a day really cleared is rare.
      if (!(nome in attuali) || attuali[nome] === valore || valore === "") return;
      const el = f.querySelector(`[name="${CSS.escape(nome)}"]`);
      if (!el) return;
      el.value = valore;
      diversi += 1;
    });
    f.querySelectorAll("input.codice").forEach(function (c) {
      const soloP = c.closest("[data-cella]").querySelector(".solo-p");
      if (soloP) soloP.hidden = !CON_ORE.includes(c.value.trim().toUpperCase());
    });
    if (diversi) {
      modificato = true;
      const avviso = f.querySelector("[data-avviso-bozza]");
      if (avviso) avviso.hidden = false;
    } else {
      scartaBozza(f);
    }
  }

  document.addEventListener("click", function (e) {
    const bottone = e.target.closest("[data-scarta-bozza]");
    if (!bottone) return;
    const f = modulo(bottone);
    scartaBozza(f);
    modificato = false;
    window.location.reload();
  });

  // A form sent without htmx (the volunteer's month) leaves the page on purpose.
  document.addEventListener("submit", function (e) {
    const f = e.target;
    if (f.matches && f.matches("form[data-registro]") && !f.hasAttribute("hx-post")) modificato = false;
  });

  window.addEventListener("beforeunload", function (e) {
    if (!modificato) return;
    e.preventDefault();
    e.returnValue = "";
  });

  function avvia(radice) {
    const forms = radice.matches && radice.matches("form[data-registro]")
      ? [radice]
      : Array.from(radice.querySelectorAll("form[data-registro]"));
    forms.forEach(function (f) {
      if (f.dataset.pronto) return;
      f.dataset.pronto = "1";
      prepara(f);
      const scelta = f.querySelector("[data-scelta-colonna]");
      if (scelta) {
        // After a save the grid comes back: the phone keeps showing the same volunteer.
        if (colonnaScelta !== null && scelta.querySelector(`option[value="${colonnaScelta}"]`)) {
          scelta.value = colonnaScelta;
        }
        mostraColonna(f, scelta.value);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { avvia(document); });
  document.addEventListener("htmx:load", function (e) { avvia(e.detail.elt); });
})();
