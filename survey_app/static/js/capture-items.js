// List items of the capture page (attendees, difficulties, proposals, opinions,
// recommendations, photos): made on the tablet with a client uid, ordered by a
// fractional position so a move is one message.
// Nothing here looks at the page until given the page's root.

export const uid = () => crypto.randomUUID();

// The position between two neighbours' positions (null: no neighbour on that side).
export function positionBetween(a, b) {
  if (a !== null && b !== null) return (a + b) / 2;
  if (a !== null) return a + 1;
  if (b !== null) return b - 1;
  return 1;
}

// The position of a list item from its neighbours in the page. A next item not yet
// queued (data-added="0", no position of its own) does not count.
export function positionOf(li) {
  const prev = li.previousElementSibling;
  const next = li.nextElementSibling;
  return positionBetween(prev ? Number(prev.dataset.position) : null,
                         next && next.dataset.added !== "0" ? Number(next.dataset.position) : null);
}

export function newItem(root, kind, item = uid()) {
  const template = root.querySelector(`template[data-template="${kind}"]`);
  const li = template.content.firstElementChild.cloneNode(true);
  li.dataset.item = item;
  li.dataset.added = "0";
  root.querySelector(`ol.items[data-kind="${kind}"]`).append(li);
  return li;
}

export function addItem(root, kind) {
  const li = newItem(root, kind);
  li.dataset.position = positionOf(li);
  li.querySelector("input, textarea, select")?.focus();
  return li;
}

export const kindOf = (li) => li.closest("ol.items").dataset.kind;

// Move in the page; the new position, or null when the item is already at that end.
export function moveInPage(li, direction) {
  const other = direction === "up" ? li.previousElementSibling : li.nextElementSibling;
  if (!other) return null;
  if (direction === "up") other.before(li); else other.after(li);
  li.dataset.position = positionOf(li);
  return Number(li.dataset.position);
}

// Put a list item where its position says among the others: a move kept on the tablet
// shows on a page that was rendered (or cached) before it.
export function placeByPosition(li) {
  const position = Number(li.dataset.position);
  const after = [...li.parentElement.children].find((other) => other !== li
    && Number(other.dataset.position) > position);
  if (after) after.before(li); else li.parentElement.append(li);
}
