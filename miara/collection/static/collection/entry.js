/* The questionnaire without a page reload: each field is saved as the clerk leaves it.
 *
 * The page works without this script (one form, "Save all changes"); the script only
 * adds: a check while typing that the value is a number (the real checks are the
 * server's), saving one field through POST <form>/field/ on change, and showing the
 * field's findings and the progress that the server answers with. Statuses are announced
 * through the page's aria-live region. No dependencies.
 */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  if (!form || !form.dataset.fieldUrl || !window.fetch) {
    return;
  }
  form.classList.add("entry-form--live");
  var url = form.dataset.fieldUrl;
  var announcer = document.getElementById("entry-announce");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  var pending = {};

  // The same normalisation as forms.normalise_number: spaces out, a decimal comma to a dot.
  function normalise(text) {
    text = (text || "").replace(/[\s\u00a0\u202f\u2009]/g, "");
    var comma = text.lastIndexOf(","), dot = text.lastIndexOf(".");
    if (comma >= 0 && dot >= 0) {
      text = comma > dot ? text.replace(/\./g, "").replace(",", ".") : text.replace(/,/g, "");
    } else if ((text.match(/,/g) || []).length === 1) {
      text = text.replace(",", ".");
    }
    return text;
  }

  function isNumber(text) {
    var normal = normalise(text);
    return normal === "" || NUMBER.test(normal);
  }

  function part(field, role) {
    var code = field.dataset.variable;
    switch (role) {
      case "value": return document.getElementById(code + "-value");
      case "comment": return document.getElementById(code + "-comment");
      case "hint": return document.getElementById(code + "-hint");
      case "errors": return document.getElementById(code + "-errors");
      case "status": return document.getElementById(code + "-status");
      case "findings": return document.getElementById("findings-" + code);
      default: return field.querySelector("input[data-role=" + role + "]");
    }
  }

  function label(field) {
    var element = field.querySelector(".entry-field__label");
    return element ? element.textContent.trim() : field.dataset.variable;
  }

  function setStatus(field, kind, text) {
    var status = part(field, "status");
    status.textContent = text;
    status.dataset.kind = kind;
    announcer.textContent = "";
    // A fresh text node, so that screen readers announce a repeated status too.
    window.setTimeout(function () { announcer.textContent = label(field) + ": " + text; }, 50);
  }

  function renderFindings(field, findings) {
    var list = part(field, "findings");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    findings.forEach(function (finding) {
      var kind = finding.severity === "error" ? "error" : (finding.justified ? "explained" : "warning");
      var item = document.createElement("li");
      item.className = "finding finding--" + kind;
      var icon = document.createElement("span");
      icon.className = "finding__icon";
      icon.setAttribute("aria-hidden", "true");
      var word = document.createElement("span");
      word.className = "finding__kind";
      word.textContent = form.dataset["label" + kind.charAt(0).toUpperCase() + kind.slice(1)];
      item.appendChild(icon);
      item.appendChild(word);
      item.appendChild(document.createTextNode(" " + finding.text));
      list.appendChild(item);
    });
  }

  function renderProgress(progress) {
    Object.keys(progress).forEach(function (key) {
      document.querySelectorAll("[data-progress=" + key + "]").forEach(function (element) {
        element.textContent = progress[key];
      });
    });
    var bar = document.querySelector(".entry-progress__bar");
    if (bar) { bar.max = progress.required || 1; bar.value = progress.filled; }
    var errors = document.querySelector("[data-stat=errors]");
    if (errors) { errors.classList.toggle("stat--bad", progress.errors > 0); }
    var warnings = document.querySelector("[data-stat=warnings]");
    if (warnings) { warnings.classList.toggle("stat--attention", progress.open_warnings > 0); }
  }

  function clearServerErrors(field) {
    var errors = part(field, "errors");
    while (errors.firstChild) { errors.removeChild(errors.firstChild); }
    field.classList.remove("entry-field--invalid");
  }

  function checkTyping(field) {
    var input = part(field, "value"), hint = part(field, "hint");
    var ok = isNumber(input.value);
    hint.hidden = ok;
    hint.textContent = ok ? "" : form.dataset.msgNotNumber;
    if (ok) { input.removeAttribute("aria-invalid"); } else { input.setAttribute("aria-invalid", "true"); }
    return ok;
  }

  function save(field) {
    var code = field.dataset.variable;
    // One request per field at a time: the next one needs the version the last one got.
    if (pending[code]) { pending[code].again = true; return; }
    if (!checkTyping(field)) { setStatus(field, "error", form.dataset.msgNotNumber); return; }
    pending[code] = { again: false };
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("variable", code);
    body.append("value", part(field, "value").value);
    body.append("comment", part(field, "comment").value);
    body.append("version", part(field, "version").value);
    setStatus(field, "saving", form.dataset.msgSaving);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.version !== undefined) { part(field, "version").value = answer.version; }
        if (answer.shown !== undefined) { part(field, "shown").value = answer.shown; }
        var input = part(field, "value");
        if (answer.status === "saved") {
          clearServerErrors(field);
          input.removeAttribute("aria-invalid");
          renderFindings(field, answer.findings || []);
          if (answer.progress) { renderProgress(answer.progress); }
        } else {
          input.setAttribute("aria-invalid", "true");
        }
        setStatus(field, answer.status, answer.message);
      })
      .catch(function () { setStatus(field, "error", form.dataset.msgFailed); })
      .then(function () {
        var again = pending[code] && pending[code].again;
        delete pending[code];
        if (again) { save(field); }
      });
  }

  form.querySelectorAll(".entry-field").forEach(function (field) {
    var value = part(field, "value"), comment = part(field, "comment");
    if (!value || !comment) { return; }
    value.addEventListener("input", function () { checkTyping(field); });
    value.addEventListener("change", function () { save(field); });
    comment.addEventListener("change", function () { save(field); });
  });

  // Bring a report at the top of the page into view and to the keyboard.
  var report = document.getElementById("blocked") || document.getElementById("upload-report");
  if (report) { report.focus(); }
})();
