// The gate page's camera scan: where the browser can read QR codes itself (BarcodeDetector, e.g.
// Chrome on Android) a "Scan" button opens the camera, reads the card's QR code (it holds only
// the pass number), fills the number in and checks it. Elsewhere the button stays hidden and the
// guard types the number. Nothing is sent anywhere but this form.
(function () {
  "use strict";
  var button = document.querySelector("[data-gate-scan]");
  var form = document.querySelector("[data-testid=gate-form]");
  if (!button || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var input = form.querySelector("input[name=number]");
  var preview = document.querySelector("[data-gate-preview]");
  var video = preview && preview.querySelector("video");
  var stream = null;
  var timer = null;

  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    if (preview) preview.hidden = true;
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) return;
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          preview.hidden = false;
          return video.play();
        })
        .then(function () {
          timer = window.setInterval(function () {
            detector.detect(video).then(function (codes) {
              var value = codes.length ? String(codes[0].rawValue || "").trim().toUpperCase() : "";
              if (!value) return;
              stop();
              input.value = value.slice(0, 40);
              form.submit();
            }).catch(function () {});
          }, 250);
        })
        .catch(function () { stop(); });
    });
    var close = preview && preview.querySelector("[data-gate-close]");
    if (close) close.addEventListener("click", stop);
  }).catch(function () {});
})();
