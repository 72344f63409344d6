// The home page: how many entries of this user wait on this device to be sent, read from
// the same outbox (IndexedDB, store.js) the capture page fills and the shell sends.
// start(config): {root (#home-outbox, texts in data-none / data-waiting), queue, onResult}.
export function outboxText(texts, count) {
  return count ? `${count} ${texts.waiting}` : texts.none;
}

export function start({ root, queue, onResult }) {
  const slot = root.querySelector("[data-slot=count]");
  const show = async () => {
    const count = await queue.size();
    slot.textContent = outboxText(root.dataset, count);
    root.dataset.count = String(count);
  };
  onResult(show);
  window.addEventListener("online", show);
  show();
  return { showOutbox: show };
}
