/* After-sales care pages. Keyboard first: Ctrl+Enter (or Cmd+Enter) anywhere in the
   complaint form registers it. */
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form) { return; }
  form.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
  });
})();
