/* One click from the invitation e-mail: send the answer form as soon as a person sees it.
 *
 * The page works without this script (the "Confirm" button). Mail scanners fetch links
 * but seldom run scripts; to keep automated browsers from answering for people, nothing
 * is sent when the browser says it is automated (navigator.webdriver), while the page is
 * hidden (pre-rendered or in a background tab), or a second time in the same tab.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (!form || navigator.webdriver) {
    return;
  }
  var key = "rsvp-sent:" + form.getAttribute("action");
  var sent = false;

  function alreadySent() {
    try {
      return window.sessionStorage.getItem(key) === "1";
    } catch (error) {
      return false;
    }
  }

  function send() {
    if (sent || document.visibilityState !== "visible" || alreadySent()) {
      return;
    }
    sent = true;
    try {
      window.sessionStorage.setItem(key, "1");
    } catch (error) {
      /* storage refused: the flag only prevents a repeat in this tab */
    }
    var progress = document.getElementById("rsvp-progress");
    if (progress) {
      progress.textContent = progress.getAttribute("data-sending") || "Recording your answer…";
    }
    form.submit();
  }

  if (document.visibilityState === "visible") {
    send();
  } else {
    document.addEventListener("visibilitychange", send);
  }
})();
