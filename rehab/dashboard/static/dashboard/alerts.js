// The alerts' escalation deadlines, counting down between the minutely refreshes of the page's parts.
(function () {
  "use strict";
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.floor((Date.parse(el.dataset.deadline) - Date.now()) / 60000);
      el.textContent = left >= 0 ? "escalates in " + left + " min" : "escalation due " + -left + " min ago";
      el.classList.toggle("overdue", left < 0);
    });
  }
  setInterval(tick, 20000);
  document.addEventListener("htmx:afterSwap", tick);
})();
