// Correcting one figure of the costing data (a cost pool's kind, FTE, personnel or other
// cost; a process's output or direct cost): saved when it changes, through the figure
// endpoints. The server checks everything; its answer (the figure as stored, why it
// refused it, or that someone else changed it meanwhile) is what the page shows.
(function () {
  "use strict";
  var status = document.getElementById("figures-status");
  if (!status || !window.fetch) return;
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";

  function say(message, isError) {
    status.textContent = message;
    status.className = "survey-status" + (isError ? " survey-status--error" : "");
  }

  function save(table, field) {
    var row = field.closest("tr");
    var body = new FormData();
    body.append("period", table.getAttribute("data-period"));
    body.append("key", row.getAttribute("data-key"));
    body.append("field", field.getAttribute("data-field"));
    body.append("value", field.value);
    body.append("read", field.getAttribute("data-read"));
    field.setAttribute("data-saving", "");
    say(status.getAttribute("data-saving"), false);
    fetch(table.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        field.removeAttribute("data-saving");
        var data = answer.data;
        if (answer.status === 200) {
          field.value = data.text;
          field.setAttribute("data-read", data.text);
          field.removeAttribute("aria-invalid");
          field.setAttribute("data-saved", "");
          say(status.getAttribute("data-saved"), false);
          return;
        }
        if (answer.status === 409) {
          // Someone else's figure is what is stored now: show it, keep it as read.
          field.value = data.stored_text;
          field.setAttribute("data-read", data.stored_text);
        } else if (field.tagName === "SELECT") {
          field.value = field.getAttribute("data-read");
        }
        field.setAttribute("aria-invalid", "true");
        say(data.error, true);
      })
      .catch(function () {
        field.removeAttribute("data-saving");
        say(status.getAttribute("data-failed"), true);
      });
  }

  document.querySelectorAll("table.figures").forEach(function (table) {
    table.addEventListener("input", function (event) {
      if (event.target.matches("input")) event.target.removeAttribute("data-saved");
    });
    table.addEventListener("change", function (event) {
      if (event.target.matches("input, select")) save(table, event.target);
    });
  });
})();
