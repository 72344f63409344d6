"""What the pages that sign a document share (the minutes, the survey report): the
drawn-signature form, the page images of a frozen version for reading it before
signing, and the words of the one signing template (`templates/signing/sign.html`)."""
from __future__ import annotations

from io import BytesIO

from flask import request, send_file
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from survey_app.documents import page_images
from survey_app.domain.errors import NotFound
from survey_app.domain.minutes.documents import frozen_pdf
from survey_app.markers import N_
from survey_app.web.context import minutes_env

# The words of the signing page, per document (marked for translation here; the template
# translates them). Keys: title, draft, sealed, signed_pdf, pages_title, pages_hint,
# pages_label, back, no_page.
MINUTES_WORDS = {
    "title": N_("Ký biên bản"),
    "draft": N_("Biên bản chưa được thông qua: vui lòng thông qua biên bản trước khi ký."),
    "sealed": N_("Đã ký đủ. Biên bản đã được đóng dấu số."),
    "signed_pdf": N_("Tải biên bản đã ký (PDF)"),
    "pages_title": N_("Nội dung biên bản cần ký"),
    "pages_hint": N_("Vui lòng đọc toàn bộ biên bản trước khi ký. Chạm vào một trang để xem cỡ lớn."),
    "pages_label": N_("Các trang biên bản"),
    "back": N_("Về trang biên bản"),
    "no_page": N_("Không tìm thấy trang này của biên bản."),
}
REPORT_WORDS = {
    "title": N_("Ký báo cáo kết quả khảo sát"),
    "draft": N_("Báo cáo chưa được thông qua: vui lòng thông qua báo cáo trước khi ký."),
    "sealed": N_("Đã ký. Báo cáo đã được đóng dấu số."),
    "signed_pdf": N_("Tải báo cáo đã ký (PDF)"),
    "pages_title": N_("Nội dung báo cáo cần ký"),
    "pages_hint": N_("Vui lòng đọc toàn bộ báo cáo trước khi ký. Chạm vào một trang để xem cỡ lớn."),
    "pages_label": N_("Các trang báo cáo"),
    "back": N_("Về trang báo cáo"),
    "no_page": N_("Không tìm thấy trang này của báo cáo."),
}


class SignatureForm(FlaskForm):
    name = StringField(N_("Họ và tên người ký"), validators=[DataRequired(), Length(max=200)])
    image = StringField(validators=[DataRequired()])


def device() -> str:
    """The device a signature was drawn on, as the browser or client names itself."""
    return request.headers.get("User-Agent", "")[:200]


def page_list(version: dict) -> dict | None:
    """The page images of a frozen version (minutes or report): their numbers (at most
    MAX_PAGES), the page count, and the PDF's hash (in the URLs: an image of other
    bytes never comes from a cache). None for a draft."""
    document = frozen_pdf(minutes_env(), version)
    if document is None:
        return None
    try:
        count = page_images.page_count(*document)
    except page_images.PageImageError:
        return {"numbers": [], "count": 0, "sha": document[1][:16]}
    return {"numbers": range(1, min(count, page_images.MAX_PAGES) + 1), "count": count, "sha": document[1][:16]}


def page_image(version: dict, number: int, not_found: str):
    """One page of a frozen version's PDF as a PNG response (404 with `not_found`)."""
    document = frozen_pdf(minutes_env(), version)
    try:
        png = page_images.page_png(*document, number) if document else None
    except ValueError:
        png = None
    if png is None:
        raise NotFound(not_found)
    response = send_file(BytesIO(png), mimetype="image/png", etag=f"{document[1]}-{number}", max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response
