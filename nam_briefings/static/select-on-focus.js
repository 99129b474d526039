/* Read-only fields marked data-select-on-focus (feed addresses) select their whole text
 * when focused, ready to copy. (Inline onfocus handlers are refused by the CSP.)
 */
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });
})();
