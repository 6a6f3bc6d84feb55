// The quiz clock: counts down from the server's "seconds left" (so a wrong clock on the
// student's computer does not matter) and submits the answers when it reaches zero.
// Without JavaScript the server still closes the attempt at its deadline.
(function () {
  var timer = document.getElementById("quiz-timer");
  var form = document.getElementById("quiz-form");
  if (!timer || !form) return;
  var end = Date.now() + parseFloat(timer.dataset.secondsLeft || "0") * 1000;
  var out = document.getElementById("quiz-time-left");
  var sent = false;
  form.addEventListener("submit", function () { sent = true; });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    out.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    if (left <= 60) timer.classList.add("urgent");
    if (left === 0) {
      // form.submit(): no validation (an unreadable formula is dropped, not a reason to
      // miss the deadline); it fires no submit event, so say the page is leaving.
      if (!sent) { sent = true; timer.classList.add("expired"); form.dataset.submitting = "true"; form.submit(); }
      return;
    }
    setTimeout(tick, 250);
  }
  tick();
})();
