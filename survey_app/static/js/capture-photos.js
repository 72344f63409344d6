// Photos of the capture page: resized on the tablet (canvas, JPEG, at most 1600 px),
// kept in IndexedDB, then sent by the outbox; the thumbnail shows the local copy until
// the server has it. The server stores a photo atomically, once per item uid.
// Photos are Blobs in IndexedDB from the moment they are taken: the page holds none
// in memory (the thumbnail reads the stored Blob through an object URL, released once
// the image has loaded), so twenty photos waiting offline cost the page no heap.
// Before a photo is kept it is shown in a preview dialog with its caption ("Tải lên" /
// "Hủy"); the camera opens in one tap ("Chụp ảnh"), the library beside it; a checklist
// item's camera button prefills the caption with the item's label and links the photo to
// it (`for_item`). A photo answering a photo-type checklist item goes through the same
// preview (`checklist_item`: it becomes the item's answer once kept). An annotated copy drawn in the viewer (photo-annotate.js) is kept and
// sent the same way, as an upload with `annotates` (the photo item's uid).
import * as store from "./store.js";
import { labelOf, writeItem } from "./capture-fields.js";
import { newItem, uid } from "./capture-items.js";
import { photoViewer } from "./photo-annotate.js";

const MAX_SIDE = 1600;

export async function resize(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new Error("canvas"))), "image/jpeg", 0.85));
}

export function showThumb(img, source) {
  if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
  if (typeof source === "string") {
    img.src = source;
  } else {
    const url = URL.createObjectURL(source);
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
  }
  img.hidden = false;
}

// The photo part of one capture page: {view, visit, queue} from capture.js.
export function photos({ view, visit, queue }) {
  const { root, texts, setStatus } = view;
  let lastTaken = null; // the photo #photo-status speaks of
  const holderFor = (key) => root.querySelector(`[data-field="checklist.${CSS.escape(key)}.value"]`);
  const photoRow = (item) => root.querySelector(`li.item[data-item="${CSS.escape(item)}"]`);
  const viewer = photoViewer({ root, onSave: (li, blob) => keepAnnotation(li.dataset.item, blob), onOriginal: useOriginal });
  let chosen = null; // the file in the preview
  let takenFor = null; // {key, label}: the checklist item whose camera button was tapped
  let answering = null; // {key, label}: the photo-type checklist item the preview's photo answers

  function placePhoto(item, fields, source) {
    if (fields.annotates) { // the drawn copy shows in its photo's place
      const li = photoRow(fields.annotates);
      if (li) showThumb(li.querySelector("img.thumb"), source);
      return li;
    }
    if (fields.checklist_item) {
      const holder = holderFor(fields.checklist_item);
      if (!holder) return null;
      showThumb(holder.querySelector("img.thumb"), source);
      return holder;
    }
    const li = root.querySelector(`li.item[data-item="${CSS.escape(item)}"]`) || newItem(root, "photo", item);
    li.dataset.pendingPhoto = "1";
    writeItem(li, fields);
    showThumb(li.querySelector("img.thumb"), source);
    return li;
  }

  // Kept on the tablet (blob, then draft, then outbox entry) before anything is sent.
  async function keepPhoto(file, fields) {
    const blob = await resize(file);
    const item = uid();
    if (!fields.checklist_item) lastTaken = item;
    await store.set(`photo:${item}`, blob);
    await store.remember(visit, `p:${item}`, { fields });
    await queue.enqueue({ id: item, kind: "photo", visit, fields });
    const el = placePhoto(item, fields, blob);
    if (el) setStatus(el, "queued");
    return el;
  }

  async function keepAnnotation(item, blob) {
    const id = uid();
    const fields = { annotates: item };
    await store.set(`photo:${id}`, blob);
    await store.remember(visit, `p:${id}`, { fields });
    await queue.enqueue({ id, kind: "photo", visit, fields });
    const li = placePhoto(id, fields, blob);
    if (li) setStatus(li, "queued");
  }

  // "Dùng ảnh gốc": online only (the copy drawn is on the server); the thumbnail shows
  // the photo as taken again. False when the server did not answer it.
  async function useOriginal(li) {
    const url = `${queue.base || ""}/visits/${encodeURIComponent(visit)}/photos/${encodeURIComponent(li.dataset.item)}/original`;
    const answer = await queue.post(url);
    if (!answer || answer[0] !== 200) return false;
    const img = li.querySelector("img.thumb");
    delete img.dataset.annotated;
    showThumb(img, answer[1].url);
    return true;
  }

  const preview = () => root.querySelector("#photo-preview");

  // A file chosen (camera or library, or a photo-type checklist item's camera): shown with
  // its caption before anything is kept.
  function showPreview(input, answers = null) {
    const forItem = answers || takenFor;
    takenFor = null;
    answering = answers;
    if (!input.files.length) return;
    chosen = input.files[0];
    input.value = "";
    const img = root.querySelector("#photo-preview-img");
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(chosen);
    const line = root.querySelector("#photo-for");
    line.hidden = !forItem;
    line.dataset.item = forItem?.key || "";
    line.querySelector('[data-slot="item"]').textContent = forItem?.label || "";
    if (forItem) root.querySelector("#photo-caption").value = forItem.label;
    if (!preview().open) preview().showModal();
    root.querySelector("#photo-caption").focus();
  }

  function closePreview() {
    const img = root.querySelector("#photo-preview-img");
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.removeAttribute("src");
    chosen = null;
    answering = null;
    root.querySelector("#photo-caption").value = root.querySelector("#photo-credit").value = "";
    root.querySelector("#photo-for").dataset.item = "";
    if (preview().open) preview().close();
  }

  async function takePhoto() {
    const status = root.querySelector("#photo-status");
    if (!chosen) { status.textContent = texts.no_file; return; }
    const fields = { caption: root.querySelector("#photo-caption").value,
                     credit: root.querySelector("#photo-credit").value };
    const forItem = root.querySelector("#photo-for").dataset.item;
    if (answering) fields.checklist_item = answering.key;
    else if (forItem) fields.for_item = forItem;
    const file = chosen;
    const answers = answering;
    closePreview();
    if (answers) { await keepPhoto(file, fields); return; } // its own status is beside the checklist item
    status.textContent = texts.uploading;
    status.dataset.state = "saving";
    await keepPhoto(file, fields);
    if (status.dataset.state !== "saved") status.textContent = texts.queued; // sent already while kept: say so
  }

  // The camera in one tap from a checklist item: its label becomes the caption.
  function photoFor(button) {
    root.querySelector("#photo-camera").click(); // opens the camera (a click listener clears takenFor first)
    takenFor = { key: button.dataset.photoFor, label: button.dataset.label };
  }

  function wirePhotos() {
    viewer.setEditable(true);
    root.querySelectorAll("[data-photo-pick]").forEach((input) => {
      input.addEventListener("click", () => { takenFor = null; });
      input.addEventListener("change", () => showPreview(input));
    });
    root.querySelector("#photo-cancel")?.addEventListener("click", closePreview);
    preview()?.addEventListener("cancel", () => closePreview()); // Escape
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-photo-for]");
      if (button) photoFor(button);
    });
  }

  const takeChecklistPhoto = (input) => showPreview(input, {
    key: input.dataset.checklistPhoto, label: labelOf(holderFor(input.dataset.checklistPhoto)) });

  // After a reload: photos not yet on the server come from IndexedDB; sent ones the
  // (possibly older, cached) page does not show yet come from the server's URL.
  async function restorePhotos(key, record) {
    const item = key.slice(2);
    const fields = record.fields || {};
    if (record.synced && fields.annotates) { // a cached page may show the photo before it was drawn on
      const img = photoRow(fields.annotates)?.querySelector("img.thumb");
      if (img && record.url && img.getAttribute("src") !== record.url) showThumb(img, record.url);
      await store.forget(visit, key);
      return;
    }
    if (record.synced) {
      const known = fields.checklist_item
        ? Number(holderFor(fields.checklist_item)?.dataset.version) >= record.fieldVersion
        : root.querySelector(`li.item[data-item="${CSS.escape(item)}"]`);
      if (known) { await store.forget(visit, key); return; }
      const el = placePhoto(item, fields, record.url);
      if (el && !fields.checklist_item) Object.assign(el.dataset, { added: "1", version: record.version, pendingPhoto: "" });
      return;
    }
    const blob = await store.get(`photo:${item}`);
    if (!blob) return;
    const el = placePhoto(item, fields, blob);
    if (el) setStatus(el, record.error ? "error" : "queued", record.error || "");
  }

  function photoSent(entry, status, body) {
    const fields = entry.fields || {};
    const el = fields.checklist_item ? holderFor(fields.checklist_item) : photoRow(fields.annotates || entry.id);
    const line = entry.id === lastTaken && root.querySelector("#photo-status");
    if (line) { // the status line under the upload button follows its photo
      line.textContent = status >= 300 ? `${texts.error}: ${body.error || status}` : texts.photo_sent;
      line.dataset.state = status >= 300 ? "error" : "saved";
    }
    if (!el) return;
    if (status >= 300) { setStatus(el, "error", body.error || status); return; }
    if (fields.checklist_item && body.field) el.dataset.version = body.field.version;
    if (!fields.checklist_item && !fields.annotates) {
      Object.assign(el.dataset, { added: "1", version: body.version, pendingPhoto: "" });
    }
    const img = el.querySelector("img.thumb");
    img.src = body.url;
    if (fields.annotates) img.dataset.annotated = "1";
    setStatus(el, "saved");
  }

  return { takePhoto, takeChecklistPhoto, restorePhotos, photoSent, wirePhotos };
}
