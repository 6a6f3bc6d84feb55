// The answer form is submitted by htmx (hx-post). An answer that is refused (400 not
// readable, 403 no attempts left, 429 too fast, 503 grader busy) comes back with its
// status and a message for the student: show it in the result area instead of letting
// htmx drop non-2xx responses. The formula previews (data-swap-errors) answer 400 for a
// formula they cannot read, with the reason to show, in the same way.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
  if (!elt || (elt.id !== "answer-form" && !elt.hasAttribute("data-swap-errors"))) return;
  if (evt.detail.xhr.status >= 400 && evt.detail.xhr.status < 600) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});

// A formula the preview cannot read is refused before it is sent: the browser's own
// validation stops the submit and says why (the server refuses it too).
document.addEventListener("htmx:afterSwap", function (evt) {
  var preview = evt.detail.target;
  if (!preview || !preview.classList || !preview.classList.contains("formula-preview")) return;
  var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
  var input = elt && elt.tagName === "INPUT" ? elt : document.getElementById(preview.dataset.input || "id_answer");
  if (!input) return;
  var bad = preview.querySelector("[data-unreadable]");
  input.setCustomValidity(bad ? bad.textContent : "");
  input.setAttribute("aria-invalid", bad ? "true" : "false");
});

// Submit shows progress: the button is disabled from the click until the answer is
// graded (or refused), and the state (sending, queued, running) is shown with the time
// since the click. One click is one attempt: the form's idempotency key is replaced
// only once an answer was stored, so a resend after a lost connection cannot count twice.
(function () {
  var form = document.getElementById("answer-form");
  if (!form) return;
  var button = form.querySelector("button[type=submit]");
  var progress = document.getElementById("submit-progress");
  var keyField = form.querySelector("input[name=idempotency_key]");
  var result = document.getElementById("result");
  var busy = false;
  var started = 0;
  var phase = "";
  var timer = null;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function seconds(ms) { return (Math.max(0, ms) / 1000).toFixed(1) + " s"; }
  function tick() {
    var now = Date.now();
    if (progress) progress.textContent = busy ? phase + " " + seconds(now - started) : "";
    var card = document.getElementById("result-card");
    if (card && card.dataset.loadedAt) {
      var age = parseInt(card.dataset.ageMs || "0", 10) + (now - parseInt(card.dataset.loadedAt, 10));
      card.querySelectorAll("[data-ticking]").forEach(function (el) { el.textContent = seconds(age); });
    }
  }
  function setBusy(on, text) {
    busy = on;
    phase = text || "";
    button.disabled = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (on && !timer) timer = setInterval(tick, 100);
    if (!on && timer) { clearInterval(timer); timer = null; }
    tick();
  }
  function follow(card) {
    // A card that arrived: keep waiting while it is pending, stop once it is final.
    if (!card) { setBusy(false); return; }
    card.dataset.loadedAt = String(Date.now());
    var status = card.dataset.status;
    if (status === "queued" || status === "running") {
      if (!busy) started = Date.now() - parseInt(card.dataset.ageMs || "0", 10);
      setBusy(true, status === "queued" ? "Queued, waiting for a grader…" : "Running your answer…");
    } else {
      setBusy(false);
    }
  }

  form.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.detail.elt !== form) return;  // a formula preview inside the form
    if (busy) { evt.preventDefault(); return; }
    started = Date.now();
    setBusy(true, "Sending your answer…");
  });
  form.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail.elt !== form) return;
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status === 0 || status >= 500) {
      setBusy(false);
      if (progress && status === 0) progress.textContent = "Could not reach the site: submit again (it will not count twice).";
      return;
    }
    if (status < 300 && keyField) keyField.value = newKey();  // stored: the next click is a new attempt
    if (status >= 400) setBusy(false);
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (!busy && !document.querySelector("#result-card[data-status=queued], #result-card[data-status=running]")) return;
    follow(document.getElementById("result-card"));
  });
  // A poll that failed (the network, the server) leaves the button usable again.
  document.body.addEventListener("htmx:sendError", function () { if (busy) setBusy(false); });
  document.body.addEventListener("htmx:responseError", function (evt) {
    if (busy && evt.detail.elt && evt.detail.elt.id === "result-card") setBusy(false);
  });
  var card = document.getElementById("result-card");
  if (card) follow(card);
})();
