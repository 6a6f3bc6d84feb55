// The answer form is submitted by htmx (hx-post). An answer that is refused (400 not
// readable, 403 no attempts left, 429 too fast, 503 grader busy) comes back with its
// status and a message for the student: show it in the result area instead of letting
// htmx drop non-2xx responses. The quiz's formula preview (data-swap-errors) answers 400
// for a formula it cannot read, with the reason to show, in the same way.
document.addEventListener("htmx:beforeSwap", function (evt) {
  var form = evt.detail.requestConfig && evt.detail.requestConfig.elt;
  if (!form || (form.id !== "answer-form" && !form.hasAttribute("data-swap-errors"))) return;
  if (evt.detail.xhr.status >= 400 && evt.detail.xhr.status < 600) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});
