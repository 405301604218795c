// Every htmx request of the portal ends in something the person sees. A refused form (400,
// 422) is swapped in with its errors (base.html's htmx-config); a dropped connection, a
// server error or any other refusal leaves the page as it was and shows #esito-htmx, in the
// page's language (its data-* attributes are translated by the server). After a swap, the
// element marked data-fuoco (the summary of the errors) takes the focus, so that it is read
// first.
(function () {
  "use strict";

  function avviso() {
    return document.getElementById("esito-htmx");
  }

  // A failed read (a GET: a page polling for progress) only says the page is not up to
  // date, without taking the focus; a failed write says nothing was saved and takes it.
  function mostra(tipo, e) {
    const box = avviso();
    if (!box) return;
    const verbo = e && e.detail && e.detail.requestConfig ? e.detail.requestConfig.verb : "post";
    const lettura = verbo === "get";
    const chiave = lettura ? tipo + "Lettura" : tipo;
    box.querySelector("[data-testo]").textContent = box.dataset[chiave] || box.dataset[tipo] || box.dataset.server;
    box.hidden = false;
    if (!lettura) box.focus();
  }

  document.addEventListener("htmx:beforeRequest", function () {
    const box = avviso();
    if (box) box.hidden = true;
  });
  document.addEventListener("htmx:sendError", function (e) { mostra("rete", e); });
  document.addEventListener("htmx:timeout", function (e) { mostra("rete", e); });
  document.addEventListener("htmx:responseError", function (e) {
    const stato = e.detail.xhr ? e.detail.xhr.status : 0;
    mostra(stato >= 500 || stato === 0 ? "server" : "rifiuto", e);
  });
  document.addEventListener("htmx:afterSettle", function () {
    const fuoco = document.querySelector("[data-fuoco]");
    if (fuoco) {
      fuoco.removeAttribute("data-fuoco");
      fuoco.focus();
    }
  });
  document.addEventListener("click", function (e) {
    const chiudi = e.target.closest("#esito-htmx");
    if (chiudi) chiudi.hidden = true;
  });
})();
