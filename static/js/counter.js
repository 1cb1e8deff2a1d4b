// The counter at full speed: a page-wide scanner listener, focus where the next action
// is, QC "all passed" in one key, and printing right after an intake.
// Static file (no inline scripts: the Content-Security-Policy forbids them).
(function () {
  "use strict";

  // -- keyboard-wedge scanner --------------------------------------------------------------
  // A scanner types a whole code within a few milliseconds and ends it with Enter; a
  // person types a key every 80 ms or more. Only such bursts are taken: ordinary typing
  // is never touched. A burst that lands outside a field meant for codes opens the job or
  // handset (/scan), wherever the focus is, without the header scan box.
  var BURST_GAP_MS = 60;   // at most this between two keys of one scan (a person: 80 ms and more)
  var MIN_LENGTH = 6;      // shorter bursts are not codes
  var burst = "";
  var last = 0;
  var start = null;        // {target, value} when the burst began
  var handlers = [];

  function isEditable(node) {
    if (!node || node === document.body) { return false; }
    if (node.isContentEditable) { return true; }
    var tag = node.tagName;
    if (tag === "TEXTAREA") { return true; }
    if (tag !== "INPUT") { return false; }
    return ["text", "search", "tel", "number", "email", "url", "password", ""].indexOf(node.type) >= 0;
  }
  // Fields where a code is the expected input: they keep the scan as typed.
  function takesCodes(node) {
    if (!isEditable(node)) { return false; }
    if (node.type === "password") { return true; }
    if (node.hasAttribute("data-scan-target") || node.id === "scan-box") { return true; }
    return /imei|code|serial|sku|number|token/i.test(node.name || "");
  }
  // In an ordinary field only what is surely a code is taken: a job number or receipt
  // stub (SZ01-000123[-123456789012]) or a 15-digit IMEI with a valid check digit.
  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = +digits.charAt(digits.length - 1 - i);
      if (i % 2 === 1) { d *= 2; if (d > 9) { d -= 9; } }
      sum += d;
    }
    return sum % 10 === 0;
  }
  function isImei(code) { return /^\d{15}$/.test(code) && luhn(code); }
  function looksLikeCode(code) {
    return /^[A-Z0-9]{2,6}-\d{6,}(-\d{12})?$/i.test(code) || isImei(code);
  }
  function strip(target, code) {
    // Take the burst back out of a field it was typed into.
    if (!isEditable(target) || !start || start.target !== target) { return; }
    if (target.value.slice(-code.length) === code) {
      target.value = target.value.slice(0, target.value.length - code.length);
    } else {
      target.value = start.value;
    }
  }

  window.workshopScanner = {
    // handler(code, target, strip) -> true when the page used the scan.
    onScan: function (handler) { handlers.push(handler); },
    isImei: isImei,
  };

  document.addEventListener("keydown", function (ev) {
    var now = ev.timeStamp || Date.now();
    if (ev.isComposing || ev.key === "Process" || ev.key === "Unidentified") { burst = ""; return; }
    if (ev.key === "Enter") {
      var code = burst;
      var fast = code.length >= MIN_LENGTH && now - last <= BURST_GAP_MS * 3;
      var target = ev.target;
      burst = "";
      if (!fast || ev.ctrlKey || ev.altKey || ev.metaKey) { return; }
      var doStrip = function () { strip(target, code); };
      for (var i = 0; i < handlers.length; i++) {
        if (handlers[i](code, target, doStrip)) {
          ev.preventDefault();
          ev.stopImmediatePropagation();
          return;
        }
      }
      if (takesCodes(target)) { return; }
      if (target.closest && target.closest("form[data-scanner='own']")) { return; }
      if (isEditable(target) && !looksLikeCode(code)) { return; }
      ev.preventDefault();
      ev.stopImmediatePropagation();
      doStrip();
      var form = document.getElementById("scan-form");
      var url = (form ? form.getAttribute("action") : "/scan") + "?code=" + encodeURIComponent(code);
      window.location.assign(url);
      return;
    }
    if (ev.key.length !== 1 || ev.ctrlKey || ev.altKey || ev.metaKey) {
      if (ev.key !== "Shift") { burst = ""; }
      return;
    }
    if (burst && now - last <= BURST_GAP_MS) {
      burst += ev.key;
    } else {
      burst = ev.key;
      start = {target: ev.target, value: isEditable(ev.target) ? ev.target.value : ""};
    }
    last = now;
  }, true);

  // -- focus where the next action is ---------------------------------------------------------
  function visible(node) { return node && node.offsetParent !== null && !node.disabled; }
  function firstField(form) {
    var fields = form.querySelectorAll("input, select, textarea, button");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden" || !visible(f) || f.tabIndex < 0 || f.readOnly) { continue; }
      return f;
    }
    return null;
  }
  // A search box showing the last search (the jobs page): typing starts the next search,
  // so its text is selected when the page puts the focus there.
  function selectShownSearch() {
    var box = document.activeElement;
    if (box && box.hasAttribute && box.hasAttribute("data-select-on-load") && box.select) { box.select(); }
  }
  window.addEventListener("load", selectShownSearch);
  function focusOnLoad() {
    var active = document.activeElement;
    if (active && active !== document.body) { selectShownSearch(); return; }  // autofocus or the page chose already
    // The browser applies autofocus when it renders, which may come after this runs: the
    // page's own choice wins over the first field.
    var target = document.querySelector("main [autofocus]");
    if (target && !visible(target)) { target = null; }
    var next = document.querySelectorAll("[data-next-action]");
    for (var i = 0; i < next.length && !target; i++) { if (visible(next[i])) { target = next[i]; } }
    if (!target) {
      var forms = document.querySelectorAll("main form:not([role='search']):not([data-no-autofocus])");
      for (var j = 0; j < forms.length && !target; j++) {
        if (visible(forms[j])) { target = firstField(forms[j]); }
      }
    }
    if (target) {
      target.focus({preventScroll: false});
      if (target.select && isEditable(target) && !target.value) { target.select(); }
      selectShownSearch();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOnLoad);
  } else {
    focusOnLoad();
  }

  // -- QC: all passed in one key (F9, or the button) -----------------------------------------
  function qcAllPassed() {
    var form = document.getElementById("qc-form");
    if (!form) { return false; }
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox][name=checks]"), function (box) {
      box.checked = true;
    });
    var passed = form.querySelector("[name=passed]");
    form.requestSubmit(passed || undefined);
    return true;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "F9" && qcAllPassed()) { ev.preventDefault(); }
  });
  var allPassed = document.getElementById("qc-all-passed");
  if (allPassed) { allPassed.addEventListener("click", qcAllPassed); }

  // -- print the tag label and the receipt right after an intake -----------------------------
  // Each document is asked for with a POST (the CSRF token from the page) into its frame,
  // so the server records the print, as for the print buttons (static/js/print.js).
  Array.prototype.forEach.call(document.querySelectorAll("iframe[data-auto-print]"), function (frame) {
    frame.addEventListener("load", function () {
      var loaded;
      try { loaded = frame.contentWindow.location.href; } catch (e) { loaded = ""; }
      if (!loaded || loaded === "about:blank") { return; }
      frame.setAttribute("data-loaded", "1");
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { /* the buttons remain */ }
      // Back to the next step once the print dialog is done with.
      var next = document.querySelector("[data-next-action]");
      if (next) { next.focus(); }
    });
    var form = document.createElement("form");
    form.method = "post";
    form.action = frame.getAttribute("data-print-src");
    form.target = frame.name;
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
