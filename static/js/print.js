/* Print buttons: a link marked data-print opens its PDF through a POST (with the CSRF
   token), so the server records a person's print; a plain GET of the same PDF (a
   prefetch, a crawler, a middle-click preview) records nothing. */
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a[data-print]") : null;
    if (!link || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) { return; }
    ev.preventDefault();
    var form = document.createElement("form");
    form.method = "post";
    form.action = link.href;
    form.target = link.target || "_self";
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = meta.content;
      form.appendChild(token);
    }
    document.body.appendChild(form);
    form.submit();
    document.body.removeChild(form);
  });
})();
