// Skip logic on a page: only the sections and items whose `relevant` holds for the
// answers on the page are shown. The form's conditions are the JSON script #skip-logic
// ([key, condition, parent] in form order, FormSpec.relevance_conditions); evaluated by
// xpath.js, as the server does, so it works offline too. The capture page calls
// applySkipLogic; the form preview (admin) starts it as its page module.
import { readField } from "./capture-fields.js";
import { relevance } from "./xpath.js";

const conditionsOf = new WeakMap();

function conditions(root) {
  if (!conditionsOf.has(root)) {
    const script = root.ownerDocument.getElementById("skip-logic");
    conditionsOf.set(root, script ? JSON.parse(script.textContent) : null);
  }
  return conditionsOf.get(root);
}

export function applySkipLogic(root) {
  const rules = conditions(root);
  if (!rules) return;
  const values = {};
  root.querySelectorAll('[data-field^="checklist."][data-field$=".value"]').forEach((el) => {
    values[el.dataset.field.split(".")[1]] = readField(el);
  });
  const asked = relevance(rules, values);
  root.querySelectorAll("[data-relevance-key]").forEach((el) => {
    el.hidden = asked[el.dataset.relevanceKey] === false;
  });
}

export function start({ root }) {
  const apply = () => applySkipLogic(root);
  root.addEventListener("input", apply);
  root.addEventListener("change", apply);
  apply();
  return {};
}
