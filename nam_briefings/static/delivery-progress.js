/* Delivery panels (templates/_delivery_progress.html): while something is unfinished,
 * ask the panel's JSON address every 2 seconds and update the figures in place.
 *
 * Progressive enhancement: without this script the page shows the figures of its own
 * request, and a reload the latest ones. Only the one-sentence summary is a live region
 * (aria-live="polite"), so that a screen reader hears a change, not every number. A
 * delivery the page does not show yet (a new change) is announced with a reload link.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  var AFTER_ERROR_MS = 10000;

  function setFigure(scope, name, value) {
    var element = scope.querySelector('[data-figure="' + name + '"]');
    if (element && element.textContent !== String(value)) {
      element.textContent = String(value);
    }
  }

  function setMessages(scope, prefix, messages) {
    Object.keys(messages).forEach(function (status) {
      setFigure(scope, prefix + "." + status, messages[status]);
    });
  }

  /* Update one briefing's figures; false when the page lacks one of its deliveries. */
  function updateBriefing(panel, briefing) {
    var box = panel.querySelector('[data-briefing="' + briefing.briefing_id + '"]');
    if (!box) {
      return !briefing.unfinished;
    }
    var complete = true;
    briefing.fanouts.forEach(function (fanout) {
      var row = box.querySelector('[data-fanout="' + fanout.id + '"]');
      if (!row) {
        complete = false;
        return;
      }
      setFigure(row, "phase", fanout.phase);
      setFigure(row, "recipients", fanout.recipients);
      setFigure(row, "composed", fanout.composed);
      setMessages(row, "messages", fanout.messages);
      row.classList.toggle("is-unfinished", fanout.unfinished);
    });
    var others = box.querySelector("[data-others]");
    if (others) {
      setMessages(others, "others", briefing.others);
    }
    Object.keys(briefing.totals || {}).forEach(function (status) {
      var total = document.querySelector('[data-briefing-count="' + status + '"]');
      if (total) {  // the briefing page's "E-mails" line
        total.textContent = String(briefing.totals[status]);
      }
    });
    var failed = box.querySelector("[data-progress-failed]");
    if (failed) {
      setFigure(failed, "failed", briefing.failed);
      failed.hidden = briefing.failed === 0;
    }
    return complete;
  }

  function update(panel, data) {
    var complete = true;
    (data.briefings || [data]).forEach(function (briefing) {
      complete = updateBriefing(panel, briefing) && complete;
    });
    Object.keys(data.counts || {}).forEach(function (status) {
      var count = document.querySelector('[data-outbox-count="' + status + '"]');
      if (count) {
        count.textContent = String(data.counts[status]);
      }
    });
    var summary = panel.querySelector("[data-progress-summary]");
    if (summary && summary.textContent !== data.summary) {
      summary.textContent = data.summary;
    }
    var changed = panel.querySelector("[data-progress-changed]");
    if (changed && !complete) {
      changed.hidden = false;
    }
    panel.setAttribute("data-progress-unfinished", data.unfinished ? "true" : "false");
  }

  function poll(panel) {
    var url = panel.getAttribute("data-progress-url");
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin",
                cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        update(panel, data);
        if (data.unfinished) {
          window.setTimeout(function () { poll(panel); }, INTERVAL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(function () { poll(panel); }, AFTER_ERROR_MS);
      });
  }

  var panels = document.querySelectorAll("[data-progress-url]");
  Array.prototype.forEach.call(panels, function (panel) {
    if (panel.getAttribute("data-progress-unfinished") === "true") {
      window.setTimeout(function () { poll(panel); }, INTERVAL_MS);
    }
  });
})();
