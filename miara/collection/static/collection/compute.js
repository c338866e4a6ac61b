// Follows a computation on the cycle board: polls its JSON status, shows the step and the
// progress, and reloads the page when it is finished so the server shows the new results.
(function () {
  "use strict";
  var job = document.getElementById("compute-job");
  if (!job || !window.fetch) return;
  var state = job.getAttribute("data-state");
  if (state === "done" || state === "failed") return;
  var url = job.getAttribute("data-status-url");
  var bar = job.querySelector("progress");
  var stateLabel = job.querySelector('[data-field="state_label"]');
  var stepLabel = job.querySelector('[data-field="step_label"]');

  function update(status) {
    if (bar) { bar.value = status.percent; bar.textContent = status.percent + " %"; }
    if (stateLabel) {
      stateLabel.textContent = status.state_label;
      stateLabel.className = "job-state job-state--" + status.state;
    }
    if (stepLabel) stepLabel.textContent = status.step_label;
    job.setAttribute("data-state", status.state);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return setTimeout(poll, 5000);
        update(status);
        if (status.finished) { setTimeout(function () { window.location.reload(); }, 600); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();
