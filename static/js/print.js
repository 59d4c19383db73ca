// Printable pages: the toolbar's button prints (no inline onclick: the Content-Security-Policy
// runs no inline handler).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
