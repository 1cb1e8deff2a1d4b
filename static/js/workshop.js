// Keyboard- and scanner-first helpers.
(function () {
  "use strict";
  // F2 (or Alt+S via accesskey) jumps to the scan box from anywhere.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "F2") {
      var box = document.getElementById("scan-box");
      if (box) { ev.preventDefault(); box.focus(); box.select(); }
    }
  });
  // fetch() helper for pages that call the JSON API with the session: sends the CSRF header.
  window.workshopFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({"Accept": "application/json"}, options.headers || {});
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && options.method && options.method !== "GET") {
      options.headers["X-CSRFToken"] = meta.content;
    }
    options.credentials = "same-origin";
    return fetch(url, options);
  };
})();

/* A button marked data-print-page prints the page (reports, dashboard). */
document.addEventListener("click", function (ev) {
  var button = ev.target.closest ? ev.target.closest("[data-print-page]") : null;
  if (button) { ev.preventDefault(); window.print(); }
});
