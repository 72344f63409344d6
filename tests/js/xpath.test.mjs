// The skip-logic evaluator of the capture page (static/js/xpath.js): XLSForm conditions,
// and which sections and items a form's conditions show for the answers given. The same
// cases against the server's evaluator: tests/test_xpath.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { holds, parse, relevance } from "../../survey_app/static/js/xpath.js";

const CONDITIONS = [
  ["section:portal", "", null],
  ["has_online_portal", "", "section:portal"],
  ["portal_speed", "${has_online_portal} = 'yes'", "section:portal"],
  ["section:online", "${has_online_portal} = 'yes'", null],
  ["online_share", "", "section:online"],
  ["online_note", "${portal_speed} = 'slow'", "section:online"],
];

test("holds: XLSForm conditions on the answers, a blank condition always holds", () => {
  assert.equal(holds("${a} = 'yes' and not(${n} < 2)", { a: "yes", n: 3 }), true);
  assert.equal(holds("${a} = 'yes' and not(${n} < 2)", { a: "yes", n: 1 }), false);
  assert.equal(holds("selected(${s}, 'b')", { s: "a b" }), true);
  assert.equal(holds("${n} > 5", { n: null }), false, "a blank number is not more than 5");
  assert.equal(holds("", {}), true);
});

test("relevance: a section that does not apply hides its items", () => {
  const none = relevance(CONDITIONS, {});
  assert.equal(none["portal_speed"], false);
  assert.equal(none["section:online"], false);
  assert.equal(none["online_share"], false, "inside a hidden section");
  const yes = relevance(CONDITIONS, { has_online_portal: "yes", portal_speed: "slow" });
  assert.deepEqual([yes["portal_speed"], yes["section:online"], yes["online_share"], yes["online_note"]],
                   [true, true, true, true]);
});

test("relevance: a hidden answer reads as blank after it (kept but not counted)", () => {
  const result = relevance(CONDITIONS, { has_online_portal: "no", portal_speed: "slow" });
  assert.equal(result["portal_speed"], false);
  assert.equal(result["online_note"], false, "portal_speed is hidden, so it is blank");
});

test("parse: unknown functions and broken texts are refused in Vietnamese", () => {
  assert.throws(() => parse("foo(1)"), /hàm foo\(\) không được hỗ trợ/);
  assert.throws(() => parse("1 + 2)"), /không hiểu '\)'/);
  assert.throws(() => parse("${a} ="), /kết thúc giữa chừng/);
});
