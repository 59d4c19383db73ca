// A destructive or final step asks first: a form (or one of its submit buttons) marked
// data-confirm="…" (optionally data-confirm-ok="button label", data-confirm-danger="no") opens the page's
// <dialog id="confirm-dialog"> (templates/base.html, translated) with that message; Cancel keeps
// the page as it is, the confirm button sends the form with the button that was pressed.
// The listener runs in the capture phase on the document, before htmx or forms.js see the submit.
(function () {
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var message = dialog.querySelector("[data-confirm-message]");
  var okButton = dialog.querySelector("[data-confirm-ok]");
  var okLabel = okButton.textContent;
  var pending = null;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    // The button's own question first (one form, a harmless Save and a Remove), then the form's.
    var asker = submitter && submitter.dataset.confirm ? submitter : form;
    if (!asker.dataset || !asker.dataset.confirm) { return; }
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    pending = { form: form, submitter: submitter };
    message.textContent = asker.dataset.confirm;
    okButton.textContent = asker.dataset.confirmOk || okLabel;
    okButton.className = "btn " + (asker.dataset.confirmDanger === "no" ? "btn-primary" : "btn-danger");
    dialog.returnValue = "";
    dialog.showModal();
  }, true);

  dialog.addEventListener("close", function () {
    var chosen = pending;
    pending = null;
    if (!chosen || dialog.returnValue !== "ok") { return; }
    chosen.form.dataset.confirmed = "yes";
    if (chosen.submitter && chosen.submitter.form === chosen.form) {
      chosen.form.requestSubmit(chosen.submitter);
    } else {
      chosen.form.requestSubmit();
    }
  });
})();
