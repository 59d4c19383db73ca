// Planning an internship: with htmx the proposal (length, reason, foremen) follows the unit and the
// first day at once, so the no-JS "Show the proposal" button goes. A change of a field marked
// data-refresh="proposal" fires the form's `refresh-proposal` event (its hx-trigger): no htmx trigger
// filter, which would need eval, forbidden by the Content-Security-Policy.
(function () {
  var form = document.getElementById("plan-form");
  if (!form || !window.htmx) return;
  document.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  form.addEventListener("change", function (event) {
    if (event.target.dataset && event.target.dataset.refresh === "proposal") {
      window.htmx.trigger(form, "refresh-proposal");
    }
  });
})();
