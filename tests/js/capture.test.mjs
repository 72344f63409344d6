// Pure parts of the capture page and its neighbours: where a list item goes, what an
// input's value means, the plan a tablet makes offline, the local visits it lists.
import assert from "node:assert/strict";
import { test } from "node:test";

import { input, listOf } from "./support.mjs";
import { fieldValue, formatMoment, formatNumber, readField, shown, toLocal } from "../../survey_app/static/js/capture-fields.js";
import { positionBetween, positionOf } from "../../survey_app/static/js/capture-items.js";
import { when } from "../../survey_app/static/js/capture-local.js";
import { planBody } from "../../survey_app/static/js/plan.js";
import { localRows } from "../../survey_app/static/js/visits-local.js";
import { indicatorText } from "../../survey_app/static/js/shell.js";

test("positionOf: between its neighbours, after the last, before the first, 1 alone", () => {
  const [first, middle, last] = listOf(1, 2, 4);
  assert.equal(positionOf(middle), (1 + 4) / 2);
  assert.equal(positionOf(last), 3);
  assert.equal(positionOf(first), 1);
  const [only] = listOf(7);
  assert.equal(positionOf(only), 1);
  const [head, second] = listOf(5, 6);
  assert.equal(positionOf(head), 5, "before the first: one less than it");
  assert.equal(positionOf(second), 6);
});

test("positionOf: a next item not yet queued has no position and does not count", () => {
  const [done, added, fresh] = listOf(3, 9, null);
  assert.equal(positionOf(added), 4, "after the previous one: the fresh item behind it is ignored");
  assert.equal(positionOf(done), 8, "its next one is queued: one less than it");
  assert.equal(positionOf(fresh), 10);
  const [alone] = listOf(2, null);
  assert.equal(positionOf(alone), 1, "only a fresh item next to it: as if alone");
});

test("positionBetween keeps moves one message: halves between, steps outside", () => {
  assert.equal(positionBetween(1, 2), 1.5);
  assert.equal(positionBetween(1.5, 2), 1.75);
  assert.equal(positionBetween(null, 0), -1);
  assert.equal(positionBetween(10, null), 11);
  assert.equal(positionBetween(null, null), 1);
});

test("readField: by data-type", () => {
  assert.equal(readField(input("radio", undefined, "partly")), "partly");
  assert.equal(readField(input("radio", undefined)), null, "nothing checked");
  assert.equal(readField(input("number", "509")), 509);
  assert.equal(readField(input("number", "88.2")), 88.2);
  assert.equal(readField(input("number", "0")), 0);
  assert.equal(readField(input("number", "")), null);
  assert.equal(readField(input("datetime", "2025-10-13T08:30")), "2025-10-13T08:30:00+07:00");
  assert.equal(readField(input("datetime", "")), null);
  assert.equal(readField(input("text", " có khoảng trắng ")), " có khoảng trắng ");
  assert.equal(readField(input("date", "2025-10-13")), "2025-10-13");
  assert.equal(fieldValue("text", ""), "");
});

test("a moment is shown in the datetime input as Vietnam time", () => {
  assert.equal(toLocal("2025-10-13T01:30:00Z"), "2025-10-13T08:30");
  assert.equal(toLocal("2025-10-13T08:30:00+07:00"), "2025-10-13T08:30");
  assert.equal(toLocal("2025-10-13T20:00:00+00:00"), "2025-10-14T03:00");
  assert.equal(toLocal(""), "");
  assert.equal(fieldValue("datetime", toLocal("2025-10-13T01:30:00Z")), "2025-10-13T08:30:00+07:00");
});

test("values in a conflict and figures as Vietnamese write them", () => {
  assert.equal(shown({ text: "Khó khăn", addressee: "", due: "2025-12-31" }), "Khó khăn · 2025-12-31");
  assert.equal(shown(null), "—");
  assert.equal(shown(0), 0);
  assert.equal(formatNumber(85.27, 1, "%"), "85,3%");
  assert.equal(formatNumber(1234.5, 1, ""), "1.234,5");
  assert.equal(formatNumber(null, 1, "%"), "—");
});

test("an English page gets English numbers and the moment in Vietnam time (its start(config).locale)", () => {
  assert.equal(formatNumber(1234.5, 1, "", "en"), "1,234.5");
  assert.equal(formatNumber(85.27, 1, "%", "en"), "85.3%");
  assert.equal(formatMoment("2025-10-13T01:30:00Z", "vi"), "13/10/2025 08:30");  // date first, as every page (issue 16)
  assert.equal(formatMoment("2025-10-13T01:30:00Z", "en"), "2025-10-13 08:30");  // as the server's English pages
  assert.equal(formatMoment("not a moment", "en"), "not a moment");
});

test("a plan made offline: the server's body and what the tablet keeps", () => {
  const plan = planBody({ delegation: "3", delegationName: "Ban Pháp chế", unit: " UBND xã Hra ", place: " Hội trường ",
                          locality: "xã Hra", started: "2025-10-27T08:00", formId: "ttpvhcc-xa", formTitle: "TTPVHCC" });
  assert.deepEqual(plan.body, { delegation: 3, unit: "UBND xã Hra", place: "Hội trường", locality: "xã Hra",
                                started_at: "2025-10-27T08:00:00+07:00", form: "ttpvhcc-xa" });
  assert.deepEqual(plan.kept, { ...plan.body, delegation_name: "Ban Pháp chế", form_title: "TTPVHCC" });
  assert.equal(when(plan.body.started_at), "08:00 27/10/2025");
});

test("local visits listed: not synced, or synced but not in the page, newest first", () => {
  const locals = {
    a: { uuid: "a", started_at: "2025-10-20T08:00:00+07:00" },
    b: { uuid: "b", started_at: "2025-10-27T08:00:00+07:00" },
    c: { uuid: "c", started_at: "2025-10-25T08:00:00+07:00" },
  };
  const rows = localRows(locals, { b: 12, c: 13 }, new Set(["/visits/13"]));
  assert.deepEqual(rows.map(({ visit, id }) => [visit.uuid, id]), [["b", 12], ["a", undefined]]);
});

test("the header's indicator texts", () => {
  const texts = { online: "Trực tuyến", offline: "Ngoại tuyến", waiting: "mục chờ gửi", none: "đã gửi hết" };
  assert.deepEqual(indicatorText(texts, true, 0), { net: "Trực tuyến", count: "đã gửi hết" });
  assert.deepEqual(indicatorText(texts, false, 3), { net: "Ngoại tuyến", count: "3 mục chờ gửi" });
  const english = { online: "Online", offline: "Offline", waiting: "entries waiting to be sent",
                    waitingOne: "entry waiting to be sent", none: "all sent" };
  assert.equal(indicatorText(english, true, 1).count, "1 entry waiting to be sent");
  assert.equal(indicatorText(english, true, 2).count, "2 entries waiting to be sent");
});
