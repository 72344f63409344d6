// The visit's photos full screen (templates/visits/_photo_viewer.html): a dialog that
// shows one photo at a time, moved by a swipe (pointer events: touch, pen or mouse), the
// ‹ › buttons or the arrow keys; Escape closes it and focus goes back where it was.
// On an editable visit, "Vẽ chú thích" draws red arrows and circles on the photo (undo
// one at a time); saving hands the drawn copy (a JPEG Blob) to `onSave`, which keeps and
// sends it as the photo's annotated copy: the photo as taken is never changed. A photo
// whose annotated copy is on the server offers "Dùng ảnh gốc" (`onOriginal`: the photo
// as taken is used again) and "Vẽ lại từ ảnh gốc" (drawing starts from the original,
// fetched from the server, instead of the drawn copy). The photo is fitted to the screen
// whatever its size, keeping its aspect (the canvas's CSS size; drawing maps back).
// The photo is painted from its thumbnail's <img> (already decoded, full size), so the
// viewer works offline and for photos not yet sent; one canvas is held while it is open.
const RED = "#e00000";
const SWIPE_PX = 50; // a shorter move is a tap, not a swipe
const MIN_SHAPE_PX = 6;

export function photoViewer({ root, onSave, onOriginal = async () => false }) {
  const box = root.ownerDocument.getElementById("photo-viewer");
  if (!box) return { setEditable() {} };
  const $ = (selector) => box.querySelector(selector);
  const canvas = $('[data-slot="canvas"]');
  const ctx = canvas.getContext("2d");
  const tools = $(".draw-tools");
  let list = [];
  let index = 0;
  let opener = null;
  let editable = false;
  let drawing = null; // {tool, shapes, start, current} while drawing on the photo
  let swipe = null;
  let base = null; // the original (an <img>) while drawing again from it
  const stage = $(".viewer-stage");

  const photoItems = () => [...root.querySelectorAll('ol.items[data-kind="photo"] li.item:not([hidden])')]
    .filter((li) => { const img = li.querySelector("img.thumb"); return img && !img.hidden && img.naturalWidth; });
  const imageOf = (li) => li.querySelector("img.thumb");

  function paintPhoto() {
    const img = base || imageOf(list[index]);
    if (canvas.width !== img.naturalWidth || canvas.height !== img.naturalHeight) {
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    fit();
  }

  // The largest size, aspect kept, that the stage has room for beside the ‹ › buttons:
  // a small photo is enlarged too (CSS max-* alone would show it at its own size).
  function fit() {
    if (box.hidden || !canvas.width) return;
    const steps = [...stage.querySelectorAll(".viewer-step")].reduce((w, b) => w + b.offsetWidth, 0);
    const scale = Math.min((stage.clientWidth - steps) / canvas.width, stage.clientHeight / canvas.height);
    canvas.style.width = `${Math.max(1, Math.floor(canvas.width * scale))}px`;
    canvas.style.height = `${Math.max(1, Math.floor(canvas.height * scale))}px`;
  }

  // Drawn on, and that copy on the server: the original can be used or drawn on again.
  const annotated = (li) => {
    const img = imageOf(li);
    return img.dataset.annotated === "1" && !img.src.startsWith("blob:");
  };

  function note(text) {
    const line = $('[data-slot="note"]');
    line.textContent = text;
    line.hidden = !text;
  }

  function show(i) {
    index = Math.max(0, Math.min(list.length - 1, i));
    const li = list[index];
    paintPhoto();
    $('[data-slot="count"]').textContent = `${index + 1} / ${list.length}`;
    $('[data-slot="caption"]').textContent = li.querySelector('[data-key="caption"]')?.value || "";
    canvas.setAttribute("aria-label", $('[data-slot="caption"]').textContent || canvas.dataset.label);
    $('[data-viewer="prev"]').disabled = index === 0;
    $('[data-viewer="next"]').disabled = index === list.length - 1;
    $('[data-viewer="annotate"]').hidden = !editable;
    $('[data-viewer="original"]').hidden = $('[data-viewer="redraw"]').hidden = !(editable && annotated(li));
    box.dataset.item = li.dataset.item;
  }

  function open(li) {
    list = photoItems();
    if (!list.includes(li)) return;
    opener = root.ownerDocument.activeElement;
    canvas.dataset.label ??= canvas.getAttribute("aria-label");
    box.hidden = false;
    root.ownerDocument.body.style.overflow = "hidden";
    show(list.indexOf(li));
    note("");
    $('[data-viewer="close"]').focus();
  }

  function close() {
    if (drawing) stopDrawing();
    box.hidden = true;
    canvas.width = canvas.height = 0; // the photo's pixels go with it
    base = null;
    root.ownerDocument.body.style.overflow = "";
    opener?.focus();
  }

  // ------------------------------------------------------------------ drawing

  function paintShape({ tool, from, to }) {
    const width = Math.max(4, Math.round(Math.max(canvas.width, canvas.height) / 160));
    Object.assign(ctx, { strokeStyle: RED, lineWidth: width, lineCap: "round", lineJoin: "round" });
    ctx.beginPath();
    if (tool === "circle") { // the ellipse inside the dragged box
      ctx.ellipse((from.x + to.x) / 2, (from.y + to.y) / 2, Math.abs(to.x - from.x) / 2,
                  Math.abs(to.y - from.y) / 2, 0, 0, 2 * Math.PI);
    } else { // an arrow pointing where the drag ended
      const angle = Math.atan2(to.y - from.y, to.x - from.x);
      const head = width * 5;
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      for (const side of [-0.45, 0.45]) {
        ctx.moveTo(to.x, to.y);
        ctx.lineTo(to.x - head * Math.cos(angle + side), to.y - head * Math.sin(angle + side));
      }
    }
    ctx.stroke();
  }

  function repaint() {
    paintPhoto();
    drawing.shapes.forEach(paintShape);
    if (drawing.start && drawing.current) paintShape({ tool: drawing.tool, from: drawing.start, to: drawing.current });
    $('[data-draw="undo"]').disabled = !drawing.shapes.length;
    $('[data-draw="save"]').disabled = !drawing.shapes.length;
  }

  function startDrawing() {
    drawing = { tool: "arrow", shapes: [], start: null, current: null };
    box.classList.add("drawing");
    tools.hidden = false;
    $('[data-viewer="annotate"]').hidden = true;
    $('[data-viewer="original"]').hidden = $('[data-viewer="redraw"]').hidden = true;
    $('[data-viewer="prev"]').disabled = $('[data-viewer="next"]').disabled = true;
    chooseTool("arrow");
    repaint();
    tools.querySelector('[data-tool="arrow"]').focus();
  }

  function stopDrawing() {
    drawing = null;
    base = null;
    box.classList.remove("drawing");
    tools.hidden = true;
  }

  function chooseTool(tool) {
    drawing.tool = tool;
    tools.querySelectorAll("[data-tool]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.tool === tool)));
  }

  async function save() {
    const li = list[index];
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    stopDrawing();
    show(index);
    if (blob) await onSave(li, blob);
    $('[data-viewer="annotate"]').focus();
  }

  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * canvas.width / rect.width,
             y: (event.clientY - rect.top) * canvas.height / rect.height };
  };

  // ------------------------------------------------------------------ wiring

  // The photo as taken, from the server (same origin: the canvas stays exportable).
  async function original(li) {
    const img = new Image();
    img.src = `${imageOf(li).src.split("?")[0]}?original=1`;
    try { await img.decode(); return img; } catch { note($('[data-slot="note"]').dataset.failed); return null; }
  }

  async function redraw() {
    const li = list[index];
    const img = await original(li);
    if (!img || list[index] !== li || box.hidden) return;
    note("");
    startDrawing();
    base = img;
    repaint();
  }

  async function useOriginal() {
    const li = list[index];
    const ok = await onOriginal(li);
    if (!ok) { note($('[data-slot="note"]').dataset.failed); return; }
    note("");
    const img = imageOf(li);
    const again = () => { if (list[index] === li && !drawing && !box.hidden) show(index); };
    if (img.complete) again(); else img.addEventListener("load", again, { once: true });
    $('[data-viewer="annotate"]').focus();
  }

  stage.addEventListener("pointerdown", (event) => {
    if (drawing && event.target === canvas) {
      canvas.setPointerCapture(event.pointerId);
      drawing.start = drawing.current = point(event);
    } else if (!drawing && !event.target.closest("button")) {
      swipe = { x: event.clientX, y: event.clientY };
    }
  });
  stage.addEventListener("pointermove", (event) => {
    if (!drawing?.start) return;
    drawing.current = point(event);
    repaint();
  });
  const endStroke = (event) => {
    if (drawing?.start) {
      const to = point(event);
      if (Math.hypot(to.x - drawing.start.x, to.y - drawing.start.y) >= MIN_SHAPE_PX) {
        drawing.shapes.push({ tool: drawing.tool, from: drawing.start, to });
      }
      drawing.start = drawing.current = null;
      repaint();
      return;
    }
    if (!swipe) return;
    const dx = event.clientX - swipe.x;
    const dy = event.clientY - swipe.y;
    swipe = null;
    if (Math.abs(dx) >= SWIPE_PX && Math.abs(dx) > Math.abs(dy)) show(index + (dx < 0 ? 1 : -1));
  };
  stage.addEventListener("pointerup", endStroke);
  stage.addEventListener("pointercancel", () => { swipe = null; if (drawing) { drawing.start = null; repaint(); } });

  box.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const action = button.dataset.viewer || button.dataset.draw;
    if (button.dataset.tool) chooseTool(button.dataset.tool);
    else if (action === "close") close();
    else if (action === "prev") show(index - 1);
    else if (action === "next") show(index + 1);
    else if (action === "annotate") startDrawing();
    else if (action === "redraw") redraw();
    else if (action === "original") useOriginal();
    else if (action === "undo") { drawing.shapes.pop(); repaint(); }
    else if (action === "cancel") { stopDrawing(); show(index); $('[data-viewer="annotate"]').focus(); }
    else if (action === "save") save();
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      if (drawing) { stopDrawing(); show(index); } else close();
    } else if (!drawing && event.key === "ArrowRight") show(index + 1);
    else if (!drawing && event.key === "ArrowLeft") show(index - 1);
    else if (event.key === "Tab") keepFocusInside(event);
  });

  function keepFocusInside(event) { // a modal dialog: Tab goes round its own buttons
    const stops = [...box.querySelectorAll("button")].filter((b) => !b.disabled && b.offsetParent !== null);
    const at = stops.indexOf(root.ownerDocument.activeElement);
    if (event.shiftKey && at <= 0) { event.preventDefault(); stops.at(-1).focus(); }
    if (!event.shiftKey && at === stops.length - 1) { event.preventDefault(); stops[0].focus(); }
  }

  window.addEventListener("resize", fit);

  root.addEventListener("click", (event) => {
    const button = event.target.closest('[data-action="view-photo"]');
    if (button) open(button.closest("li.item"));
  });

  return { setEditable(value) { editable = value; } };
}
