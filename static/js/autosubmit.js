// A control marked data-autosubmit sends its form as soon as it changes (a month picker, a filter):
// the Content-Security-Policy runs no inline onchange handler, so the behaviour lives here.
document.addEventListener("change", function (event) {
  var control = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
  if (control && control.form) { control.form.requestSubmit(); }
});
