/* After a refused submission, the form's error summary (data-error-summary, see the
 * `form_errors` macro) takes the focus, so that a screen reader reads it and the page
 * shows it with its form below, not the top of an unchanged-looking page. The summary
 * also has `autofocus`, which does the same without JavaScript; this script brings it to
 * the top of the window when it is out of sight (a form far down a long page).
 */
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    var box = summary.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      summary.scrollIntoView({block: "start"});
    }
    summary.focus({preventScroll: true});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
