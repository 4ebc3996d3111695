// Fill the coding form's start and end from the text the reader selects in the document.
// Each sentence element carries data-start, its offset in the document's text, so the offset of a
// selection point is that plus the offset inside the sentence. Without JavaScript the form still works
// with its sentence list and its start/end fields.
(function () {
  "use strict";
  function offsetOf(node, offset) {
    var element = node.nodeType === 3 ? node.parentElement : node;
    var sentence = element && element.closest ? element.closest(".sentence") : null;
    if (!sentence) { return null; }
    return parseInt(sentence.getAttribute("data-start"), 10) + (node.nodeType === 3 ? offset : 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("document-text");
    var start = document.getElementById("start");
    var end = document.getElementById("end");
    var sentence = document.getElementById("sentence");
    var preview = document.getElementById("selection-preview");
    if (!text || !start || !end) { return; }
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !text.contains(selection.anchorNode)) { return; }
      var a = offsetOf(selection.anchorNode, selection.anchorOffset);
      var b = offsetOf(selection.focusNode, selection.focusOffset);
      if (a === null || b === null || a === b) { return; }
      start.value = String(Math.min(a, b));
      end.value = String(Math.max(a, b));
      if (sentence) { sentence.value = ""; }
      if (preview) { preview.textContent = selection.toString().slice(0, 80); }
    });
  });
})();
