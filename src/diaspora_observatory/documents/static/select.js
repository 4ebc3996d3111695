// Fill the coding form's start and end from the text the reader selects in the document.
// Each sentence element carries data-start, its offset in the document's text, so the offset of a
// selection point is that plus the offset inside the sentence. Without JavaScript the form still works
// with its sentence list and its start/end fields.
//
// Offsets are counted in code points, as the server counts them (Python strings). The browser counts a
// selection's offsets in UTF-16 code units, where a character beyond U+FFFF (an emoji, 𝔸) takes two, so
// each offset inside a text is converted; counted as the browser does, every such character before the
// selection would move the stored passage one character to the right.
(function () {
  "use strict";
  function codePoints(text, units) {
    // Code points in the first `units` UTF-16 code units of `text`: a surrogate pair counts once.
    var count = 0;
    for (var i = 0; i < units && i < text.length; i += 1) {
      var unit = text.charCodeAt(i);
      if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < units) {
        var next = text.charCodeAt(i + 1);
        if (next >= 0xDC00 && next <= 0xDFFF) { i += 1; }
      }
      count += 1;
    }
    return count;
  }
  function offsetOf(node, offset) {
    var element = node.nodeType === 3 ? node.parentElement : node;
    var sentence = element && element.closest ? element.closest(".sentence") : null;
    if (!sentence) { return null; }
    var start = parseInt(sentence.getAttribute("data-start"), 10);
    if (node.nodeType === 3) { return start + codePoints(node.data, offset); }
    // A point between child nodes (offset counts children): the text of the children before it.
    var before = 0;
    for (var i = 0; i < offset && i < node.childNodes.length; i += 1) {
      var text = node.childNodes[i].textContent || "";
      before += codePoints(text, text.length);
    }
    return start + before;
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
      if (preview) { preview.textContent = Array.from(selection.toString()).slice(0, 80).join(""); }
    });
  });
})();
