// Turns the answer textarea into a CodeMirror 5 editor. The textarea stays the form
// field: CodeMirror writes back to it on submit, and without JavaScript it still works.
document.addEventListener("DOMContentLoaded", function () {
  var area = document.querySelector("#answer-form textarea[name=answer]");
  if (!area || typeof CodeMirror === "undefined") return;
  var editor = CodeMirror.fromTextArea(area, {
    mode: "python", lineNumbers: true, indentUnit: 4, tabSize: 4,
    extraKeys: { Tab: function (cm) { cm.replaceSelection("    "); } },
  });
  editor.setSize(null, "22em");
  area.form.addEventListener("submit", function () { editor.save(); });
  // htmx submits the form itself (hx-post) and may read the textarea before the submit
  // listener above runs: keep the textarea current on every edit instead.
  editor.on("change", function () { editor.save(); });
});
