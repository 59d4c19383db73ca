// A cause tree wider than its container ([data-scroll-to-final]) starts scrolled to its final event
// (the incident itself, drawn last: on the right of the wide layout, at the bottom centre of the
// narrow one), and the hint "swipe sideways" ([data-scroll-hint]) shows while a visible tree
// overflows. Only the layout the screen shows (the other is display: none) is measured.
(function () {
  "use strict";

  function place() {
    var anyOverflow = false;
    document.querySelectorAll("[data-scroll-to-final]").forEach(function (box) {
      if (!box.offsetParent) return; // hidden by the media query
      var overflowing = box.scrollWidth > box.clientWidth + 1;
      anyOverflow = anyOverflow || overflowing;
      var final = box.querySelector(".final rect");
      if (!overflowing || !final) return;
      var boxRect = box.getBoundingClientRect();
      var finalRect = final.getBoundingClientRect();
      var centre = finalRect.left - boxRect.left + box.scrollLeft + finalRect.width / 2;
      box.scrollLeft = Math.max(0, centre - box.clientWidth / 2);
    });
    document.querySelectorAll("[data-scroll-hint]").forEach(function (hint) {
      hint.hidden = !anyOverflow;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", place);
  } else {
    place();
  }
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(place, 150);
  });
})();
