/* Mission portal: a "Copy link" button for the calendar feed address.
 *
 * Progressive enhancement: without this script the button stays hidden and the address
 * is a read-only field to select and copy, next to a webcal:// link. What it says comes
 * from the button's data-copied / data-copy-failed, in the page's language.
 */
(function () {
  "use strict";

  function say(button, message) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) {
      status.textContent = message;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) {
      return;
    }
    var copiedText = button.getAttribute("data-copied") ||
      "Copied: paste it into your calendar program.";
    var failedText = button.getAttribute("data-copy-failed") ||
      "Press Ctrl+C (or ⌘C) to copy the selected address.";
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button, copiedText);
      }, function () {
        say(button, failedText);
      });
      return;
    }
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? copiedText : failedText);
  }

  var buttons = document.querySelectorAll("[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button);
    });
  });
})();
