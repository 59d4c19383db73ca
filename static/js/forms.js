// A form sent on a slow connection: the button says it is saving and cannot be tapped twice.
// (The server also ignores a second copy of the same form: see submission_key.)
document.querySelectorAll("form").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit][data-saving-text]").forEach(function (button) {
      button.disabled = true;
      button.textContent = button.dataset.savingText;
    });
  });
});
