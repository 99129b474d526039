/* Mission portal: a "Copy link" button for the calendar feed address.
 *
 * Progressive enhancement: without this script the button stays hidden and the address
 * is a read-only field to select and copy, next to a webcal:// link.
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
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say(button, "Copied: paste it into your calendar program.");
      }, function () {
        say(button, "Press Ctrl+C (or ⌘C) to copy the selected address.");
      });
      return;
    }
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? "Copied: paste it into your calendar program."
                       : "Press Ctrl+C (or ⌘C) to copy the selected address.");
  }

  var buttons = document.querySelectorAll("[data-copy-target]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button);
    });
  });
})();
