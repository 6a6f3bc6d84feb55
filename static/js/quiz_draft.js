// Quiz answers survive a reload: what the student types is saved on the server as a
// draft (a moment after they stop typing), the page says when it was last saved, and
// leaving with changes not yet saved asks first. The submit shows its progress.
(function () {
  var form = document.getElementById("quiz-form");
  if (!form || !form.dataset.draftUrl) return;
  var status = document.getElementById("draft-status");
  var button = document.getElementById("quiz-submit");
  var progress = document.getElementById("quiz-submit-progress");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var dirty = false;   // changed since the last draft the server confirmed
  var edits = 0;       // a draft in flight is clean only if nothing changed meanwhile
  var timer = null;
  var saving = false;

  function say(text) { if (status) status.textContent = text; }
  function save() {
    timer = null;
    if (saving) { schedule(); return; }
    saving = true;
    var sentAt = edits;
    fetch(form.dataset.draftUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "HX-Request": "true", "HX-Current-URL": location.href },
    }).then(function (response) {
      if (response.status === 401) {
        say("Not saved: you are logged out. Log in again in another tab to keep saving; do not reload this one.");
        return null;
      }
      return response.json().then(function (data) {
        if (!response.ok) { say("Not saved: " + (data.error || response.status)); return; }
        if (edits === sentAt) dirty = false;
        say("Draft saved at " + data.saved_at_text + ": your answers are kept as you type.");
      });
    }).catch(function () {
      say("Not saved: the site cannot be reached. Trying again…");
      schedule(3000);
    }).finally(function () { saving = false; });
  }
  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, ms || 700);
  }
  function changed() {
    dirty = true;
    edits += 1;
    say("Unsaved changes…");
    schedule();
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", function (evt) {
    if (evt.target.type === "radio" || evt.target.type === "checkbox") changed();
  });
  window.addEventListener("beforeunload", function (evt) {
    if (!dirty || form.dataset.submitting === "true") return;
    evt.preventDefault();
    evt.returnValue = "";  // the browser asks "Leave site? Changes you made may not be saved."
  });
  form.addEventListener("submit", function () {
    form.dataset.submitting = "true";
    if (timer) clearTimeout(timer);
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    var started = Date.now();
    function tick() { if (progress) progress.textContent = "Sending your answers… " + ((Date.now() - started) / 1000).toFixed(1) + " s"; }
    tick();
    setInterval(tick, 100);
  });
  // A formula restored from the draft comes with its preview; an unreadable one is
  // refused before submit, as when it was typed.
  form.querySelectorAll("input.formula").forEach(function (input) {
    var preview = document.getElementById("preview-" + input.name.slice(2));
    var bad = preview && preview.querySelector("[data-unreadable]");
    if (bad) { input.setCustomValidity(bad.textContent); input.setAttribute("aria-invalid", "true"); }
  });
})();
