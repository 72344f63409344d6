// Checklist progress of the capture page (static/js/capture-progress.js): required items
// answered per section and overall, skip logic taken into account, blank as the server
// reads it. The same rule against the server's FormSpec.progress: tests/test_checklist_progress.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { countProgress, isBlank } from "../../survey_app/static/js/capture-progress.js";

const SECTIONS = [
  { key: "portal", items: [{ key: "has_portal", required: true }, { key: "speed", required: true },
                           { key: "note", required: false }] },
  { key: "online", items: [{ key: "online_staff", required: true }, { key: "why", required: true }] },
  { key: "staff", items: [{ key: "respondent", required: true }] },
];
const CONDITIONS = [
  ["section:portal", "", null],
  ["has_portal", "", "section:portal"],
  ["speed", "${has_portal} = 'yes'", "section:portal"],
  ["note", "", "section:portal"],
  ["section:online", "${has_portal} != 'no'", null],
  ["online_staff", "", "section:online"],
  ["why", "${speed} = 'slow'", "section:online"],
  ["section:staff", "", null],
  ["respondent", "", "section:staff"],
];

test("nothing answered: every required item asked is missing, in form order", () => {
  const progress = countProgress(SECTIONS, CONDITIONS, {});
  assert.deepEqual([progress.answered, progress.required], [0, 3]);
  assert.deepEqual(progress.missing, ["has_portal", "online_staff", "respondent"]);
  assert.deepEqual(progress.sections.portal, { answered: 0, required: 1, missing: ["has_portal"] });
});

test("an answer that opens an item raises the required count; one that closes a section drops it", () => {
  const yes = countProgress(SECTIONS, CONDITIONS, { has_portal: "yes", speed: "slow", online_staff: 2 });
  assert.deepEqual([yes.answered, yes.required], [3, 5]);
  assert.deepEqual(yes.sections.portal, { answered: 2, required: 2, missing: [] });
  assert.deepEqual(yes.sections.online, { answered: 1, required: 2, missing: ["why"] });
  const no = countProgress(SECTIONS, CONDITIONS, { has_portal: "no", speed: "slow", online_staff: 2 });
  assert.deepEqual([no.answered, no.required], [1, 2], "the hidden speed and online section do not count");
  assert.deepEqual(no.sections.online, { answered: 0, required: 0, missing: [] });
  assert.deepEqual(no.missing, ["respondent"]);
});

test("blank as the server reads it: null, missing, empty or spaces; 0 and 'no' are answers", () => {
  for (const value of [null, undefined, "", "   \n"]) assert.equal(isBlank(value), true, JSON.stringify(value));
  for (const value of [0, "no", "x", false]) assert.equal(isBlank(value), false, JSON.stringify(value));
  const progress = countProgress(SECTIONS, CONDITIONS, { has_portal: "partly", online_staff: 0, respondent: "  " });
  assert.deepEqual(progress.missing, ["respondent"]);
  assert.equal(progress.answered, 2);
});

test("a form without skip logic counts every required item", () => {
  const progress = countProgress(SECTIONS, null, { note: "only the optional one" });
  assert.deepEqual([progress.answered, progress.required], [0, 5]);
  assert.deepEqual(progress.missing, ["has_portal", "speed", "online_staff", "why", "respondent"]);
});
