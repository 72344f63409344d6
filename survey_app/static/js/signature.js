/* Drawn signatures on the tablet (signature_pad from npm): blue ink, transparent PNG.
   Each .signature-form holds a canvas; on submit the drawing goes into the hidden
   `image` field as a PNG data URI. */
(function () {
  "use strict";
  var INK = "#0b3d91";

  function fitCanvas(canvas, pad) {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var data = pad.isEmpty() ? null : pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    if (data) { pad.fromData(data); }
  }

  function setUp(form) {
    var canvas = form.querySelector("canvas.signature-pad");
    var image = form.querySelector("input.signature-image");
    var error = form.querySelector(".signature-error");
    var pad = new window.SignaturePad(canvas, { penColor: INK, minWidth: 1, maxWidth: 3,
                                                backgroundColor: "rgba(0,0,0,0)" });
    fitCanvas(canvas, pad);
    window.addEventListener("resize", function () { fitCanvas(canvas, pad); });
    pad.addEventListener("beginStroke", function () { error.hidden = true; });
    form.querySelector(".signature-clear").addEventListener("click", function () {
      pad.clear();
      image.value = "";
    });
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        error.hidden = false;
        return;
      }
      image.value = pad.toDataURL("image/png");
      form.querySelector(".signature-submit").disabled = true;
    });
  }

  document.querySelectorAll("form.signature-form").forEach(setUp);
})();
