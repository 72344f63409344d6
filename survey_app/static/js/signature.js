// Drawn signatures on the tablet (signature_pad from npm, window.SignaturePad): blue
// ink, transparent PNG. Each .signature-form under the root holds a canvas; on submit
// the drawing goes into the hidden `image` field as a PNG data URI.
// start(config): {root (#signature-slots), SignaturePad (default: the page's)}.
export const INK = "#0b3d91";

function fitCanvas(canvas, pad) {
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  const data = pad.isEmpty() ? null : pad.toData();
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  pad.clear();
  if (data) pad.fromData(data);
}

function setUp(form, SignaturePad) {
  const canvas = form.querySelector("canvas.signature-pad");
  const image = form.querySelector("input.signature-image");
  const error = form.querySelector(".signature-error");
  const pad = new SignaturePad(canvas, { penColor: INK, minWidth: 1, maxWidth: 3, backgroundColor: "rgba(0,0,0,0)" });
  fitCanvas(canvas, pad);
  window.addEventListener("resize", () => fitCanvas(canvas, pad));
  pad.addEventListener("beginStroke", () => { error.hidden = true; });
  form.querySelector(".signature-clear").addEventListener("click", () => {
    pad.clear();
    image.value = "";
  });
  form.addEventListener("submit", (event) => {
    if (pad.isEmpty()) {
      event.preventDefault();
      error.hidden = false;
      return;
    }
    image.value = pad.toDataURL("image/png");
    form.querySelector(".signature-submit").disabled = true;
  });
  return pad;
}

export function start({ root, SignaturePad = window.SignaturePad }) {
  return { pads: [...root.querySelectorAll("form.signature-form")].map((form) => setUp(form, SignaturePad)) };
}
