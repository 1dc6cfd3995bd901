/*
 * Claim page: "Copy" buttons put the permalink or a citation on the clipboard.
 * Without the Clipboard API (an insecure origin, an old browser) the text is selected so
 * that Ctrl+C / Cmd+C copies it. Plain ES2017, no network requests.
 */
(function () {
  "use strict";

  var status = document.querySelector(".copy-status");

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".copy-button[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    var label = button.textContent.replace(/^Copy /, "");
    var selectIt = function () {
      field.focus();
      field.select();
      say("Selected: press Ctrl+C (or Cmd+C) to copy the " + label + ".");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        say("Copied the " + label + " to the clipboard.");
        button.classList.add("is-copied");
      }, selectIt);
    } else {
      selectIt();
    }
  });
})();
