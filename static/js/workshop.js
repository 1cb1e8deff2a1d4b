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

/* The job page's part picker (input[data-part-options]): as one types (or on focus,
   the parts for this handset), the server's suggestions fill the shared <datalist>;
   a scanned or typed SKU works without them. */
(function () {
  "use strict";
  var timer = null, asked = null;
  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var q = input.value.trim();
    if (!list || q === asked) { return; }
    asked = q;
    window.workshopFetch(input.dataset.partOptions + "?q=" + encodeURIComponent(q)).then(function (r) {
      return r.ok ? r.json() : [];
    }).then(function (options) {
      if (asked !== q) { return; }
      list.replaceChildren.apply(list, options.map(function (o) {
        var opt = document.createElement("option");
        opt.value = o.sku;
        opt.label = o.label;
        opt.textContent = o.label;
        if (o.fits) { opt.dataset.fits = "1"; }
        return opt;
      }));
    }).catch(function () { /* no suggestions: typing the SKU still works */ });
  }
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input.dataset || !input.dataset.partOptions) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, 150);
  });
  document.addEventListener("focusin", function (ev) {
    if (ev.target.dataset && ev.target.dataset.partOptions) { suggest(ev.target); }
  });
})();
