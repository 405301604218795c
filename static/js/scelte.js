// Type-ahead selectors (infra.scelte.SceltaRemota). Every <select data-scelta="<endpoint>">
// becomes a Tom Select (static/vendor/tom-select):
// - data-scelta-completa: the <select> already carries every option; the search is local;
// - otherwise the <select> carries only the chosen option(s) and the endpoint answers as the
//   user types (JSON {risultati: [{value, text}], altri}); what it offers is what the form
//   accepts, scoped on the server;
// - data-dipende-da="<field>": the parent field's value goes with every request (the provinces
//   of the chosen region); changing the parent empties the choice and its options.
// No inline code or style: the CSP allows none (Tom Select positions its dropdown through the
// CSSOM, which the CSP allows).
(function () {
  "use strict";

  function testo(s) {
    const div = document.createElement("div");
    div.textContent = s;
    return div.innerHTML;
  }

  function avvia(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    const completa = select.hasAttribute("data-scelta-completa");
    const nomePadre = select.dataset.dipendeDa;
    const padre = nomePadre && select.form ? select.form.elements.namedItem(nomePadre) : null;
    const opzioni = {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      maxOptions: 100,
      allowEmptyOption: false,
      placeholder: select.dataset.segnaposto,
      plugins: select.multiple ? ["remove_button"] : [],
      // Several rows: once one is picked, the box empties for the next name.
      clearAfterSelect: select.multiple,
      render: {
        no_results: function () {
          return '<div class="no-results">' + testo(select.dataset.vuoto) + "</div>";
        },
      },
    };
    if (!completa) {
      opzioni.preload = "focus";
      // The server has already matched the text (name or code): show its rows, in its order.
      opzioni.score = function () {
        return function () {
          return 1;
        };
      };
      opzioni.load = function (query, callback) {
        const ts = this;
        const url = new URL(select.dataset.scelta, window.location.origin);
        new URLSearchParams(select.dataset.parametri || "").forEach(function (v, k) {
          url.searchParams.set(k, v);
        });
        url.searchParams.set("q", query);
        if (padre && padre.value) url.searchParams.set(nomePadre, padre.value);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) {
            return r.ok ? r.json() : Promise.reject(r.status);
          })
          .then(function (dati) {
            // Only this answer's rows (and the chosen ones): those of an earlier text go.
            ts.clearOptions();
            callback(dati.risultati);
          })
          .catch(function () {
            callback();
          });
      };
    }
    const ts = new window.TomSelect(select, opzioni);
    // The <select> stays in the page as the form's value, out of reach (tabindex -1); its label
    // now names Tom Select's search box, so assistive technologies skip the copy.
    select.setAttribute("aria-hidden", "true");
    if (padre) {
      padre.addEventListener("change", function () {
        ts.clear(true);
        ts.clearOptions(function () {
          return false;
        });
        ts.wrapper.classList.remove("preloaded");
      });
    }
  }

  function avviaTutte(radice) {
    radice.querySelectorAll("select[data-scelta]").forEach(avvia);
  }

  avviaTutte(document);
  document.addEventListener("htmx:load", function (e) {
    avviaTutte(e.detail.elt);
  });
})();
