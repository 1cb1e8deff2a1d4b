/* Pickup counter: typing the phone digits (or ticking the ID box) picks the phone-and-ID check. */
(function () {
  "use strict";
  // Typing the phone digits (or ticking the ID box) means the phone-and-ID check.
  var form = document.getElementById("verify-form");
  if (!form) { return; }
  function choose(value) {
    var radio = form.querySelector('input[name="method"][value="' + value + '"]');
    if (radio) { radio.checked = true; }
  }
  ["phone_last4", "id_checked"].forEach(function (name) {
    var el = form.querySelector('[name="' + name + '"]');
    if (el) { el.addEventListener("input", function () { choose("phone_id"); }); el.addEventListener("change", function () { choose("phone_id"); }); }
  });
  var stub = form.querySelector('[name="stub_code"]');
  if (stub) { stub.addEventListener("input", function () { choose("stub"); }); }
})();
