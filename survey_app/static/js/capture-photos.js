// Photos of the capture page: resized on the tablet (canvas, JPEG, at most 1600 px),
// kept in IndexedDB, then sent by the outbox; the thumbnail shows the local copy until
// the server has it. The server stores a photo atomically, once per item uid.
// Photos are Blobs in IndexedDB from the moment they are taken: the page holds none
// in memory (the thumbnail reads the stored Blob through an object URL, released once
// the image has loaded), so twenty photos waiting offline cost the page no heap.
import * as store from "./store.js";
import { writeItem } from "./capture-fields.js";
import { newItem, uid } from "./capture-items.js";

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

function showThumb(img, source) {
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

  function placePhoto(item, fields, source) {
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

  async function takePhoto() {
    const file = root.querySelector("#photo-file");
    const status = root.querySelector("#photo-status");
    if (!file.files.length) { status.textContent = texts.no_file; return; }
    const caption = root.querySelector("#photo-caption");
    const credit = root.querySelector("#photo-credit");
    status.textContent = texts.uploading;
    status.dataset.state = "saving";
    await keepPhoto(file.files[0], { caption: caption.value, credit: credit.value });
    if (status.dataset.state !== "saved") status.textContent = texts.queued; // sent already while kept: say so
    file.value = caption.value = credit.value = "";
  }

  const takeChecklistPhoto = (input) => keepPhoto(input.files[0], { checklist_item: input.dataset.checklistPhoto });

  // After a reload: photos not yet on the server come from IndexedDB; sent ones the
  // (possibly older, cached) page does not show yet come from the server's URL.
  async function restorePhotos(key, record) {
    const item = key.slice(2);
    const fields = record.fields || {};
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
    const el = fields.checklist_item ? holderFor(fields.checklist_item)
      : root.querySelector(`li.item[data-item="${CSS.escape(entry.id)}"]`);
    const line = entry.id === lastTaken && root.querySelector("#photo-status");
    if (line) { // the status line under the upload button follows its photo
      line.textContent = status >= 300 ? `${texts.error}: ${body.error || status}` : texts.photo_sent;
      line.dataset.state = status >= 300 ? "error" : "saved";
    }
    if (!el) return;
    if (status >= 300) { setStatus(el, "error", body.error || status); return; }
    if (fields.checklist_item && body.field) el.dataset.version = body.field.version;
    if (!fields.checklist_item) Object.assign(el.dataset, { added: "1", version: body.version, pendingPhoto: "" });
    el.querySelector("img.thumb").src = body.url;
    setStatus(el, "saved");
  }

  return { takePhoto, takeChecklistPhoto, restorePhotos, photoSent };
}
