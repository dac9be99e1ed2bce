// After an action of the patient page answers in place (htmx), put the keyboard where the answer is:
// on the first field it refused, else on the message saying what was done. Other swaps of the page
// (the RTM card, an alert's buttons, the top bar's count) leave the focus alone.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var form = config && config.elt;
    if (!form || !form.id || form.id.indexOf("action-") !== 0) return;
    var actions = document.getElementById("patient-actions");
    if (!actions) return;
    var target = actions.querySelector("#" + form.id + ' [aria-invalid="true"]') ||
      actions.querySelector("#" + form.id + " .form-error") ||
      actions.querySelector('[data-testid="action-done"]');
    if (target) target.focus();
  });
})();
