// Turns the answer textarea into a CodeMirror 5 editor. The textarea stays the form
// field: CodeMirror writes back to it on every edit, and without JavaScript it still works.
//
// The editor never deletes code: Tab indents the selected lines (it does not replace
// them), Shift+Tab dedents, brackets and quotes close as you type. Esc leaves the
// editor (focus moves to the Submit button), so keyboard users are never trapped by Tab.
// The line an error names (a syntax error refused at submit, a runtime error in the
// result) is marked in the editor. "Reset to starter code" can be undone (Ctrl+Z).
document.addEventListener("DOMContentLoaded", function () {
  var area = document.querySelector("#answer-form textarea[name=answer]");
  if (!area || typeof CodeMirror === "undefined") return;
  var submit = document.getElementById("submit-answer");
  var status = document.getElementById("editor-status");
  var editor = CodeMirror.fromTextArea(area, {
    mode: "python", lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false,
    autoCloseBrackets: true,
    screenReaderLabel: "Your code",
    gutters: ["CodeMirror-linenumbers", "error-gutter"],
    extraKeys: {
      Tab: function (cm) {
        if (cm.somethingSelected()) cm.execCommand("indentMore");
        else cm.execCommand("insertSoftTab");
      },
      "Shift-Tab": function (cm) { cm.execCommand("indentLess"); },
      Esc: function (cm) {
        cm.getInputField().blur();
        if (submit) submit.focus();
      },
    },
  });
  editor.setSize(null, "22em");
  var input = editor.getInputField();
  input.setAttribute("aria-describedby", "editor-help");
  input.setAttribute("aria-multiline", "true");
  editor.on("change", function () { editor.save(); });
  area.form.addEventListener("submit", function () { editor.save(); });

  var marked = [];
  function clearMarks() {
    marked.forEach(function (handle) { editor.removeLineClass(handle, "background", "cm-error-line"); });
    marked = [];
    editor.clearGutter("error-gutter");
  }
  function markLine(line) {
    clearMarks();
    var n = parseInt(line, 10);
    if (!(n >= 1 && n <= editor.lineCount())) return;
    marked.push(editor.addLineClass(n - 1, "background", "cm-error-line"));
    var marker = document.createElement("span");
    marker.className = "error-marker";
    marker.textContent = "●";
    marker.title = "The error is on this line";
    editor.setGutterMarker(n - 1, "error-gutter", marker);
    editor.scrollIntoView({ line: n - 1, ch: 0 }, 40);
  }
  function showErrorLine() {
    var found = document.querySelector("#result [data-error-line], #answer-form #answer-error[data-error-line]");
    if (found && found.dataset.errorLine) markLine(found.dataset.errorLine);
    else clearMarks();
  }
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail.target && evt.detail.target.closest && evt.detail.target.closest("#result")) showErrorLine();
  });
  showErrorLine();

  var reset = document.getElementById("reset-starter");
  var starter = document.getElementById("starter-code");
  if (reset && starter) {
    reset.addEventListener("click", function () {
      var code = JSON.parse(starter.textContent);
      if (editor.getValue() === code) {
        if (status) status.textContent = "The editor already holds the starter code.";
        return;
      }
      editor.setValue(code);  // one change in the editor's history: Ctrl+Z brings the code back
      clearMarks();
      editor.focus();
      if (status) status.textContent = "Starter code restored. Press Ctrl+Z (⌘Z on a Mac) in the editor to get your code back.";
    });
  }
});
