// The time-allocation survey: keeps each row's total as the user types (a row over 100 %
// is marked at once) and saves a cell when it changes, through the cell endpoint. The
// server checks everything again; its answer (the row's total, or why it refused the
// cell, or that someone else changed it meanwhile) is what the page shows.
(function () {
  "use strict";
  var table = document.getElementById("survey");
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-cell-url");
  var period = table.getAttribute("data-period");
  var status = document.getElementById("grid-status");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";
  var lang = (document.documentElement.getAttribute("lang") || "en").slice(0, 2);
  var comma = lang === "pl" || lang === "cs";

  function number(text) {
    var cleaned = String(text).replace(/[\s\u00a0%]/g, "").replace(",", ".");
    if (cleaned === "") return 0;
    var value = Number(cleaned);
    return isFinite(value) ? value : NaN;
  }

  function show(value) {
    var text = (Math.round(value * 10) / 10).toFixed(1);
    return comma ? text.replace(".", ",") : text;
  }

  function say(message, isError) {
    status.textContent = message;
    status.className = "survey-status" + (isError ? " survey-status--error" : "");
  }

  function rowTotal(row) {
    var total = 0;
    var bad = false;
    row.querySelectorAll("input").forEach(function (input) {
      var value = number(input.value);
      if (isNaN(value) || value < 0 || value > 100) {
        bad = true;
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
        total += value;
      }
    });
    var cell = row.querySelector("[data-total]");
    cell.textContent = show(total);
    var over = total > 100 + 1e-9;
    if (over) cell.setAttribute("data-over", ""); else cell.removeAttribute("data-over");
    return { total: total, over: over, bad: bad };
  }

  function save(input) {
    var row = input.closest("tr");
    var check = rowTotal(row);
    if (check.over) {
      say(row.querySelector("th").textContent.trim() + ": " + table.getAttribute("data-over"), true);
      input.setAttribute("aria-invalid", "true");
      return;
    }
    var body = new FormData();
    body.append("period", period);
    body.append("department", row.getAttribute("data-department"));
    body.append("process", input.getAttribute("data-process"));
    body.append("percent", input.value);
    body.append("read", input.getAttribute("data-read"));
    input.setAttribute("data-saving", "");
    say(table.getAttribute("data-saving"), false);
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        input.removeAttribute("data-saving");
        var data = answer.data;
        if (answer.status === 200) {
          input.value = data.text;
          input.setAttribute("data-read", data.text);
          input.removeAttribute("aria-invalid");
          input.setAttribute("data-saved", "");
          row.querySelector("[data-total]").textContent = data.row_total_text;
          say(table.getAttribute("data-saved"), false);
          return;
        }
        if (answer.status === 409) {
          // Someone else's value is what is stored now: show it, keep it as read.
          input.value = data.stored_text;
          input.setAttribute("data-read", data.stored_text);
          rowTotal(row);
        }
        input.setAttribute("aria-invalid", "true");
        say(data.error, true);
      })
      .catch(function () {
        input.removeAttribute("data-saving");
        say(table.getAttribute("data-failed"), true);
      });
  }

  table.addEventListener("input", function (event) {
    if (event.target.matches("input")) {
      event.target.removeAttribute("data-saved");
      var check = rowTotal(event.target.closest("tr"));
      if (check.over) say(table.getAttribute("data-over"), true);
      else if (status.className.indexOf("error") >= 0) say("", false);
    }
  });
  table.addEventListener("change", function (event) {
    if (event.target.matches("input")) save(event.target);
  });
})();
