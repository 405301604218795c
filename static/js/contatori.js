// Live public counters: every few seconds, read the counters' open data (served from the
// server's cache, revalidated with its ETag) and update only the figures that moved; a
// polite live region tells screen-reader users what changed. No reload, no layout shift.
(function () {
  "use strict";
  var PERIODO = 5000;
  var box = document.querySelector("[data-contatori-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-contatori-url");
  // Digits grouped as the server groups them in this language (Django's format, not the
  // browser's: Intl leaves 4-digit numbers ungrouped in Italian).
  var separatore = box.getAttribute("data-separatore") || "";
  var formato = { format: function (n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separatore); } };
  var annunci = box.querySelector("[data-annunci]");
  var etag = null;

  function etichetta(cella) {
    var id = cella.getAttribute("aria-describedby");
    if (id) { return document.getElementById(id).textContent.trim(); }
    var riga = cella.closest("tr");
    var tabella = cella.closest("table");
    var colonna = Array.prototype.indexOf.call(riga.children, cella);
    var intestazione = tabella.querySelectorAll("thead th")[colonna];
    return riga.querySelector("th").textContent.trim() + ", " + intestazione.textContent.trim();
  }

  function aggiorna(cella, valore, cambiati) {
    if (!cella) { return; }
    var testo = formato.format(valore);
    if (cella.textContent.trim() !== testo) {
      cella.textContent = testo;
      cambiati.push(etichetta(cella) + ": " + testo);
    }
  }

  function applica(dati) {
    var cambiati = [];
    dati.forEach(function (riga) {
      var dove = riga.livello === "rete" ? box.querySelector(".contatori")
        : box.querySelector('tr[data-nodo="' + riga.nodo + '"]');
      if (!dove) { return; }
      ["enti", "olp", "volontari"].forEach(function (chiave) {
        aggiorna(dove.querySelector('[data-contatore="' + chiave + '"]'), riga[chiave], cambiati);
      });
    });
    if (cambiati.length && annunci) { annunci.textContent = cambiati.slice(0, 3).join("; "); }
  }

  function leggi() {
    if (document.hidden) { return; }
    var intestazioni = { "Accept": "application/json" };
    if (etag) { intestazioni["If-None-Match"] = etag; }
    fetch(url, { headers: intestazioni, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 304 || !r.ok) { return null; }
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (documento) { if (documento) { applica(documento.dati); } })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  window.setInterval(leggi, PERIODO);
  document.addEventListener("visibilitychange", leggi);
}());
