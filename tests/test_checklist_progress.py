"""Checklist progress (issue 16, item 8): one rule for "required item answered", the
server's (FormSpec.progress, which finalize asks about) and the capture page's
(static/js/capture-progress.js, run here in node) agree on every combination of answers
of a form with skip logic on items and on a section."""
from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

from survey_app.checklists import parse_form

from .test_skip_logic import FORM

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = """
import { countProgress } from "./survey_app/static/js/capture-progress.js";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { sections, conditions, cases } = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map((values) => countProgress(sections, conditions, values))));
"""
CHOICES = {"has_online_portal": [None, "yes", "partly", "no"], "portal_speed": [None, "fast", "slow"],
           "online_staff": [None, 0, 1, 5], "slow_reason": [None, " ", "mạng chậm"]}


def browser_counts(form, cases):
    page = {"sections": [{"key": section.key, "items": [{"key": item.key, "required": item.required}
                                                        for item in section.items]}
                         for section in form.sections],
            "conditions": form.relevance_conditions(), "cases": cases}
    done = subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT], cwd=ROOT, input=json.dumps(page),
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_server_and_capture_page_count_alike_on_every_combination():
    form = parse_form(FORM, "skip.toml")
    cases = [{key: value for key, value in zip(CHOICES, combo) if value is not None}
             for combo in itertools.product(*CHOICES.values())]
    server = [form.progress(values) for values in cases]
    assert browser_counts(form, cases) == server
    required = {(p["answered"], p["required"]) for p in server}
    assert (0, 2) in required and (3, 3) in required and (1, 1) in required, "skip logic changes the count"


def test_missing_at_finalize_is_the_progress_missing():
    form = parse_form(FORM, "skip.toml")
    values = {"has_online_portal": "yes", "online_staff": 2}
    progress = form.progress(values)
    assert form.missing_required(values) == progress["missing"] == ["portal_speed"]
    assert (progress["answered"], progress["required"]) == (2, 3)
    assert progress["sections"]["online"] == {"answered": 1, "required": 1, "missing": []}
