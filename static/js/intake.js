// The intake screen: scanner-first IMEI check and a live warranty preview.
// Talks to the JSON API with the session (window.workshopFetch sends the CSRF header).
// Without JavaScript the form still works: the server checks everything on submit.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var T = JSON.parse(document.getElementById("intake-text").textContent);
  var GROUPS = ["customer", "device", "proof", "fault", "condition", "estimate", "consent"];
  var imeiInput = form.elements.device_imei;
  var imei2Input = form.elements.device_imei2;
  var promisedInput = form.elements.promised_by;
  var promisedTouched = !!(promisedInput && promisedInput.value);
  var autoFilled = {device_brand: "", device_model: ""};
  var lastImeiChecked = null;
  var previewTimer = null;
  var previewSeq = 0;

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined || values[key] === null ? "" : values[key];
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function compactImei(value) { return String(value || "").replace(/[\s\-\/.]+/g, ""); }

  // -- the form as the API's JSON body --------------------------------------------------
  function apiName(fieldName) {
    for (var i = 0; i < GROUPS.length; i++) {
      if (fieldName.indexOf(GROUPS[i] + "_") === 0) {
        return [GROUPS[i], fieldName.slice(GROUPS[i].length + 1)];
      }
    }
    return [fieldName];
  }
  function fieldName(dotted) { return dotted.replace(".", "_"); }

  // The preview needs what decides the warranty; the customer and the estimate do not.
  var NOT_FOR_PREVIEW = /^(customer|estimate)_/;

  function payload() {
    var body = {accessories: []};
    Array.prototype.forEach.call(form.elements, function (input) {
      var name = input.name;
      if (!name || name === "csrf_token" || name === "intake_token" || name === "submit") { return; }
      if (NOT_FOR_PREVIEW.test(name)) { return; }
      var value;
      if (input.type === "checkbox") {
        if (name === "accessories") { if (input.checked) { body.accessories.push(input.value); } return; }
        value = input.checked;
      } else {
        value = input.value === "" ? null : input.value;
      }
      var path = apiName(name);
      if (path.length === 2) {
        body[path[0]] = body[path[0]] || {};
        body[path[0]][path[1]] = value;
      } else {
        body[path[0]] = value;
      }
    });
    if (body.proof && !body.proof.kind) { body.proof = null; }
    return body;
  }

  // -- errors beside their fields (from the preview) -------------------------------------
  function showLiveErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-live-error]"), function (node) {
      var input = form.elements[node.getAttribute("data-live-error")];
      if (input && input.classList) { input.classList.remove("is-invalid"); }
      node.remove();
    });
    Object.keys(errors || {}).forEach(function (dotted) {
      var name = fieldName(dotted);
      var input = form.elements[name];
      if (!input || !input.classList || !input.value) { return; }  // only what was typed
      if (form.querySelector('[data-error-for="' + name + '"]')) { return; }  // the server said it already
      input.classList.add("is-invalid");
      var note = el("div", {"class": "invalid-feedback", "data-live-error": name, text: errors[dotted].join(" ")});
      input.insertAdjacentElement("afterend", note);
    });
  }

  // -- IMEI check ------------------------------------------------------------------------
  function renderImei(result) {
    var box = document.getElementById("imei-result");
    clear(box);
    var line = el("div", {"class": "d-flex flex-wrap align-items-center gap-2"});
    if (result.valid) {
      line.appendChild(el("span", {"class": "badge text-bg-success", id: "imei-valid", text: T.valid}));
    } else {
      line.appendChild(el("span", {"class": "badge text-bg-danger", id: "imei-valid", text: T.invalid}));
    }
    if (result.tac) {
      if (result.tac_known) {
        line.appendChild(el("span", {id: "imei-device", "class": "fw-semibold",
          text: result.brand + " " + result.model}));
        line.appendChild(el("span", {"class": "text-muted small", text: fmt(T.known_tac, {tac: result.tac})}));
      } else if (result.valid) {
        line.appendChild(el("span", {"class": "badge text-bg-warning", id: "imei-unknown-tac",
          text: fmt(T.unknown_tac, {tac: result.tac})}));
      }
    }
    box.appendChild(line);
    if (!result.valid && result.reason) {
      var reason = el("div", {"class": "small text-danger mt-1", id: "imei-reason", text: result.reason});
      if (result.suggestion) {
        var use = el("button", {type: "button", "class": "btn btn-sm btn-outline-primary ms-2",
          id: "imei-use-suggestion", text: fmt(T.use_suggestion, {imei: result.suggestion})});
        use.addEventListener("click", function () {
          imeiInput.value = result.suggestion;
          checkImei(true);
        });
        reason.appendChild(use);
      }
      box.appendChild(reason);
    }
    if (result.blocked) {
      var manager = !document.getElementById("override-box").hasAttribute("data-no-override");
      box.appendChild(el("div", {"class": "alert alert-danger mt-2 mb-0", id: "blocked-warning", role: "alert"}, [
        el("strong", {text: T.blocked_title}),
        el("div", {text: result.blocked_message || ""}),
        el("div", {"class": "fw-semibold", text: manager ? T.blocked_manager : T.blocked_staff}),
      ]));
      if (manager) { document.getElementById("override-box").classList.remove("d-none"); }
    }
    var openBox = document.getElementById("open-job-override-box");
    if (result.open_job) {
      box.appendChild(el("div", {"class": "alert alert-warning mt-2 mb-0 py-1 small", id: "open-job-warning"}, [
        el("a", {href: form.getAttribute("data-job-url") + result.open_job, "class": "alert-link",
          text: fmt(T.open_job, {number: result.open_job})}),
        el("div", {text: openBox ? T.open_job_manager : T.open_job_staff}),
      ]));
    }
    if (openBox) { openBox.classList.toggle("d-none", !result.open_job && !form.elements.open_job_override_reason.value); }
    if (result.rerepair_of) {
      box.appendChild(el("div", {"class": "alert alert-info mt-2 mb-0 py-1 small", id: "rerepair-notice",
        text: fmt(T.rerepair, {number: result.rerepair_of.number, until: result.rerepair_of.repair_warranty_until})}));
    }
    if (result.valid) {
      ["brand", "model"].forEach(function (part) {
        var input = form.elements["device_" + part];
        var value = result[part] || "";
        if (value && (!input.value || input.value === autoFilled["device_" + part])) {
          input.value = value;
          autoFilled["device_" + part] = value;
        }
      });
    }
    renderHistory(result.history || []);
  }

  function renderHistory(history) {
    var panel = document.getElementById("history-panel");
    var list = document.getElementById("history-list");
    clear(list);
    panel.classList.remove("d-none");
    if (!history.length) {
      list.appendChild(el("li", {"class": "list-group-item text-muted", text: T.no_history}));
      return;
    }
    var own = form.elements.service_point ? form.elements.service_point.value : "";
    history.forEach(function (job) {
      var warranty = T.warranty[job.warranty_status] || job.warranty_status || "";
      // Another service point's job: its number, dates and status only (no link, no customer).
      var number = job.service_point === own
        ? el("a", {href: form.getAttribute("data-job-url") + job.number, "class": "font-monospace", text: job.number})
        : el("span", {"class": "font-monospace", "data-other-point": job.service_point, text: job.number});
      list.appendChild(el("li", {"class": "list-group-item", "data-job": job.number}, [
        number,
        el("span", {text: " · " + job.service_point + " · " + job.received_on +
          (job.closed_on ? "–" + job.closed_on : "") + " · " + (T.fault[job.fault_category] || job.fault_category)}),
        el("div", {"class": "text-muted", text: (T.status[job.status] || job.status) + (warranty ? " · " + warranty : "") +
          (job.repair_warranty_until ? " · ≤ " + job.repair_warranty_until : "")}),
      ]));
    });
  }

  function checkImei(force) {
    var value = compactImei(imeiInput.value);
    if (!value) {
      clear(document.getElementById("imei-result"));
      lastImeiChecked = null;
      schedulePreview();
      return Promise.resolve();
    }
    if (value === lastImeiChecked && !force) { return Promise.resolve(); }
    lastImeiChecked = value;
    var box = document.getElementById("imei-result");
    clear(box);
    box.appendChild(el("span", {"class": "text-muted small", text: T.checking}));
    return window.workshopFetch(form.getAttribute("data-imei-url") + encodeURIComponent(value))
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (compactImei(imeiInput.value) === value) { renderImei(result); }
        schedulePreview();
      })
      .catch(function () {
        clear(box);
        box.appendChild(el("span", {"class": "text-warning small", text: T.offline}));
      });
  }

  // -- warranty preview ------------------------------------------------------------------
  function renderPreview(result) {
    var w = result.warranty;
    document.getElementById("warranty-empty").classList.add("d-none");
    document.getElementById("warranty-result").classList.remove("d-none");
    document.getElementById("warranty-policy").textContent = result.policy.name;
    var status = document.getElementById("warranty-status");
    status.textContent = T.warranty[w.status] || w.status;
    status.className = "badge fs-6 text-bg-" + ({return_window: "success", exchange_window: "success",
      in_warranty: "success", expired: "secondary", void: "danger", no_proof: "warning"}[w.status] || "secondary");
    status.setAttribute("data-warranty-status", w.status);
    var charge = document.getElementById("warranty-charge");
    charge.textContent = w.chargeable ? T.chargeable : T.free;
    charge.className = "badge fs-6 " + (w.chargeable ? "text-bg-dark" : "text-bg-success");
    charge.setAttribute("data-chargeable", w.chargeable ? "true" : "false");
    var remedies = document.getElementById("warranty-remedies");
    clear(remedies);
    if (w.remedies.length) {
      remedies.appendChild(el("span", {"class": "small me-1", text: T.remedies}));
      w.remedies.forEach(function (r) {
        remedies.appendChild(el("span", {"class": "badge rounded-pill text-bg-light border me-1", text: T.remedy[r] || r}));
      });
    }
    var reasons = document.getElementById("warranty-reasons");
    clear(reasons);
    (w.reasons_local || w.reasons).forEach(function (text, i) {
      reasons.appendChild(el("li", {"data-code": w.reason_codes[i], text: text}));
    });
    document.getElementById("warranty-ends").textContent = w.ends_on || "–";
    document.getElementById("dates-promised").textContent = result.dates.promised_by || "–";
    document.getElementById("dates-loaner").textContent = result.dates.loaner_due || "–";
    document.getElementById("dates-exchange").textContent = result.dates.exchange_due || "–";
    // Loaner and exchange dates are the customer's rights on a free warranty repair only.
    Array.prototype.forEach.call(document.querySelectorAll("#warranty-result .warranty-only"), function (node) {
      node.classList.toggle("d-none", w.chargeable);
    });
    var note = document.getElementById("policy-note");
    note.textContent = result.policy.note || "";
    note.classList.toggle("d-none", !result.policy.note);
    if (promisedInput && !promisedTouched) { promisedInput.value = result.default_promised_by; }
    showLiveErrors(result.errors);
  }

  function preview() {
    var seq = ++previewSeq;
    return window.workshopFetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(payload()),
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (result) {
      if (seq === previewSeq) { renderPreview(result); }
    }).catch(function () { /* the server checks again on submit */ });
  }
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 250);
  }

  // -- customer by phone -----------------------------------------------------------------
  // The lookup only suggests: it never writes into what the receptionist is typing (an
  // input method may be composing in the name field). A returning customer's name is
  // changed only by ticking "Correct the customer's name".
  var knownName = null;
  var updateBox = document.getElementById("customer-update-box");
  function showNameChange() {
    var typed = form.elements.customer_name.value.trim();
    var differs = knownName !== null && typed !== "" && typed !== knownName;
    if (updateBox) {
      updateBox.classList.toggle("d-none", !differs && !form.elements.customer_update.checked);
    }
  }
  function lookupCustomer() {
    var phone = form.elements.customer_phone.value.trim();
    var hint = document.getElementById("customer-hint");
    knownName = null;
    if (phone.replace(/\D/g, "").length < 5) { clear(hint); showNameChange(); return; }
    window.workshopFetch(form.getAttribute("data-customer-url") + "?phone=" + encodeURIComponent(phone))
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        clear(hint);
        if (!result) { showNameChange(); return; }
        if (result.found) {
          knownName = result.name;
          hint.appendChild(el("span", {id: "customer-returning", text: fmt(T.returning, {name: result.name}) +
            (result.jobs.length ? " · " + result.jobs.join(", ") : "")}));
          var use = el("button", {type: "button", "class": "btn btn-sm btn-link py-0", id: "customer-use-name",
            text: fmt(T.use_name, {name: result.name})});
          use.addEventListener("click", function () {
            form.elements.customer_name.value = result.name;
            if (!form.elements.customer_email.value && result.email) { form.elements.customer_email.value = result.email; }
            showNameChange();
            focusNext(form.elements.customer_name);
          });
          hint.appendChild(use);
        } else {
          hint.appendChild(el("span", {text: fmt(T.new_customer, {phone: result.phone})}));
        }
        showNameChange();
      }).catch(function () { clear(hint); });
  }
  form.elements.customer_name.addEventListener("input", showNameChange);

  // -- keyboard and scanner ----------------------------------------------------------------
  function focusables() {
    return Array.prototype.filter.call(form.elements, function (node) {
      return !node.disabled && node.type !== "hidden" && node.offsetParent !== null && node.tabIndex >= 0;
    });
  }
  function focusNext(from) {
    var list = focusables();
    var next = list[list.indexOf(from) + 1];
    if (next) { next.focus(); if (next.select && next.type !== "checkbox") { next.select(); } }
  }

  // Where Enter goes next: the fields a counter fills for almost every handset, in order
  // (brand and model come from the TAC table, a second IMEI or the invoice by scanning).
  var ENTER_NEXT = {device_imei: "customer_phone", customer_phone: "customer_name",
                    customer_name: "fault_category", fault_category: "fault_description"};
  function focusField(name) {
    var node = form.elements[name];
    if (node && node.offsetParent !== null) {
      node.focus();
      if (node.select && node.type !== "checkbox" && node.tagName !== "SELECT") { node.select(); }
      return true;
    }
    return false;
  }
  function moveOn(target) {
    var next = ENTER_NEXT[target.name];
    if (next && focusField(next)) { return; }
    focusNext(target);
  }

  // -- the scanner at the intake form ---------------------------------------------------------
  // After the handset's IMEI, the next scans land where they belong wherever the focus is:
  // the handset's own IMEI again or its second IMEI is the invoice's (proof IMEI); another
  // valid IMEI with the same TAC (first 8 digits) is the second IMEI of a dual-SIM handset.
  function setValue(name, value) {
    var input = form.elements[name];
    input.value = value;
    input.dispatchEvent(new Event("change", {bubbles: true}));
  }
  function proofKindFollows() {
    // Proof typed or scanned without saying what it is: an invoice (the common case).
    var kind = form.elements.proof_kind;
    if (kind && !kind.value && (form.elements.proof_number.value || form.elements.proof_purchase_date.value ||
                                form.elements.proof_imei.value || form.elements.proof_seller.value)) {
      setValue("proof_kind", "invoice");
    }
  }
  ["proof_number", "proof_purchase_date", "proof_imei", "proof_seller"].forEach(function (name) {
    if (form.elements[name]) { form.elements[name].addEventListener("change", proofKindFollows); }
  });
  // A date typed from the keyboard changes the decision as soon as it is a whole date.
  if (form.elements.proof_purchase_date) {
    form.elements.proof_purchase_date.addEventListener("input", function () {
      proofKindFollows();
      schedulePreview();
    });
  }
  if (window.workshopScanner) {
    window.workshopScanner.onScan(function (code, target, strip) {
      if (!form.contains(target)) { return false; }
      var digits = compactImei(code);
      if (target === imeiInput || target === imei2Input || target === form.elements.proof_imei) { return false; }
      var first = compactImei(imeiInput.value);
      if (!first) {
        if (!/^\d{14,16}$/.test(digits)) { return false; }
        strip();
        imeiInput.value = digits;
        checkImei(false);
        focusField("customer_phone");
        return true;
      }
      if (!window.workshopScanner.isImei(digits)) { return false; }
      strip();
      var second = compactImei(imei2Input.value);
      if (digits === first || digits === second) {
        setValue("proof_imei", digits);
        proofKindFollows();
        if (!form.elements.proof_purchase_date.value) { focusField("proof_purchase_date"); }
      } else if (!second && digits.slice(0, 8) === first.slice(0, 8)) {
        setValue("device_imei2", digits);
        schedulePreview();
      } else {
        setValue("proof_imei", digits);  // another handset's invoice: the warranty check says so
        proofKindFollows();
      }
      return true;
    });
  }

  form.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    var target = ev.target;
    if ((ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      form.requestSubmit(document.getElementById("intake-submit"));
      return;
    }
    if (target.tagName === "TEXTAREA" || target.type === "submit" || target.tagName === "BUTTON") { return; }
    // A keyboard-wedge scanner ends with Enter: never submit from a field, move on instead.
    ev.preventDefault();
    if (target === imeiInput) {
      checkImei(false);
      moveOn(target);
    } else if (target === imei2Input) {
      schedulePreview();
      moveOn(target);
    } else {
      moveOn(target);
    }
  });

  imeiInput.addEventListener("input", function () {
    if (/^\d{15}$/.test(compactImei(imeiInput.value))) { checkImei(false); }
  });
  imeiInput.addEventListener("change", function () { checkImei(false); });
  form.elements.customer_phone.addEventListener("change", lookupCustomer);
  if (promisedInput) {
    promisedInput.addEventListener("input", function () { promisedTouched = !!promisedInput.value; });
  }
  form.addEventListener("change", function (ev) {
    var name = ev.target.name || "";
    if (name === "device_imei" || name.indexOf("customer_") === 0 || name === "promised_by") { return; }
    schedulePreview();
  });
  form.addEventListener("submit", function () {
    var button = document.getElementById("intake-submit");
    // Keep the button usable for a second press: the one-time token makes it harmless.
    button.classList.add("disabled");
    setTimeout(function () { button.classList.remove("disabled"); }, 3000);
  });

  // Re-shown after an error: check what was typed again.
  if (compactImei(imeiInput.value)) { checkImei(true); } else { preview(); }
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
})();
