"""The survey report's deadline (issue 13, item 3): due REPORT_DUE_DAYS after the last
visit; the home page and the follow-up board list reports due and late until the
report is final."""
from __future__ import annotations

from survey_app.domain.survey_report import deadlines
from survey_app.domain.survey_report import operations as report_ops
from survey_app.services import minutes_env

from .conftest import login
from .report_world import DELEGATION
from .support import user


def test_due_after_the_last_visit_late_once_past(rstore):
    rows = deadlines.reports_due(rstore, user(rstore, "thuky"), 10, today="2025-10-25")
    assert rows == [{"delegation_id": DELEGATION, "name": rows[0]["name"], "last_visit": "2025-10-15",
                     "due": "2025-10-25", "late": False}]
    assert deadlines.reports_due(rstore, user(rstore, "thuky"), 10, today="2025-10-26")[0]["late"] is True
    assert deadlines.reports_due(rstore, user(rstore, "thuky"), 3, today="2025-10-17")[0]["due"] == "2025-10-18"
    assert deadlines.reports_due(rstore, user(rstore, "xahra"), 10) == []  # a host is not told


def test_board_and_home_list_the_report_until_it_is_final(rapp, rclient, rstore):
    login(rclient, "thuky")
    board = rclient.get("/followup/").get_data(as_text=True)
    assert 'id="reports-due"' in board and "hạn 25/10/2025" in board and "Quá hạn" in board
    assert 'id="reports-due"' in rclient.get("/").get_data(as_text=True)
    with rapp.app_context():
        report_ops.finalize(rstore, rapp.extensions["survey_forms"], minutes_env(rapp), user(rstore, "thuky"),
                            DELEGATION)
    assert 'id="reports-due"' not in rclient.get("/followup/").get_data(as_text=True)


def test_the_period_is_configurable(tmp_path, report_instance):
    import shutil
    from .conftest import make_app
    shutil.copytree(report_instance, tmp_path / "instance")
    app = make_app(tmp_path, REPORT_DUE_DAYS=3)
    try:
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        login(client, "truongdoan")
        assert "hạn 18/10/2025" in client.get("/followup/").get_data(as_text=True)
    finally:
        app.extensions["survey_store"].close()
