// Follows a report job: polls its JSON status and updates the progress; reloads the page
// when the job is finished, so the server renders the download link (or the error).
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || !window.fetch) return;
  var url = job.getAttribute("data-status-url");
  var bar = job.querySelector("progress");
  var stateLabel = job.querySelector('[data-field="state_label"]');
  var count = job.querySelector('[data-field="count"]');
  var template = count ? count.textContent : "";
  var done0 = null;

  function update(status) {
    if (bar) { bar.value = status.percent; bar.textContent = status.percent + " %"; }
    if (stateLabel) {
      stateLabel.textContent = status.state_label;
      stateLabel.className = "job-state job-state--" + status.state;
    }
    // The count text is translated on the server: replace its two numbers only.
    if (count && template) {
      var n = 0;
      count.textContent = template.replace(/\d+/g, function () {
        n += 1;
        return n === 1 ? status.done : n === 2 ? status.total : "";
      });
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return setTimeout(poll, 5000);
        update(status);
        if (status.finished) { window.location.reload(); return; }
        if (done0 === null) done0 = status.done;
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 800);
})();
