// The unit picker's pure logic: the search key matches the server's, the URL it asks,
// keyboard moves, and the exact match that fills the id when a name is typed in full.
import assert from "node:assert/strict";
import { test } from "node:test";

import { JS } from "./support.mjs";

const picker = await import(new URL("unit-picker.js", JS));

test("the search key folds case and drops diacritics like survey_app/text.py", () => {
  assert.equal(picker.searchKey("UBND xã Ia Hrú"), "ubnd xa ia hru");
  assert.equal(picker.searchKey("  ĐAK   Pơ "), "dak po");
  // NFD input (as some keyboards send it) folds like NFC
  assert.equal(picker.searchKey("xa\u0303 Hra"), picker.searchKey("xã Hra"));
});

test("the URL asks for the typed text, nothing for an empty box", () => {
  assert.equal(picker.SEARCH_URL, "/units/search");
  assert.equal(picker.searchUrl("/units/search", "  ia hrú "), "/units/search?q=ia%20hr%C3%BA");
  assert.equal(picker.searchUrl("/units/search", "   "), null);
  assert.equal(picker.searchUrl("/units/search", "x".repeat(300)).length, "/units/search?q=".length + 100);
});

test("arrows move through the rows and wrap around", () => {
  assert.equal(picker.move(-1, 1, 3), 0);
  assert.equal(picker.move(-1, -1, 3), 2);
  assert.equal(picker.move(2, 1, 3), 0);
  assert.equal(picker.move(0, -1, 3), 2);
  assert.equal(picker.move(0, 1, 0), -1);
});

test("a name typed in full, in any case or without diacritics, picks that unit", () => {
  const units = [{ id: 4, name: "UBND xã Ia Hrú", locality: "" }, { id: 9, name: "UBND xã Hra", locality: "Gia Lai" }];
  assert.equal(picker.exactMatch(units, "ubnd XÃ hra").id, 9);
  assert.equal(picker.exactMatch(units, "ubnd xa ia hru").id, 4);
  assert.equal(picker.exactMatch(units, "UBND xã"), null);
  assert.equal(picker.exactMatch(units, ""), null);
  assert.equal(picker.optionLabel(units[1]), "UBND xã Hra — Gia Lai");
});
