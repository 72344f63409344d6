"""WTForms' own messages in the app's languages. WTForms ships no Vietnamese catalogue,
so its English texts are mapped here to Vietnamese catalogue texts (English in the
English catalogue): every form then speaks the page's language ("Vui lòng …")."""
from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm

from survey_app.markers import N_

# WTForms' text (singular for a plural pair) → our Vietnamese catalogue text.
MESSAGES = {
    "This field is required.": N_("Vui lòng điền trường này."),
    "Field must be equal to %(other_name)s.": N_("Vui lòng nhập giống trường %(other_name)s."),
    "Field must be at least %(min)d character long.": N_("Vui lòng nhập ít nhất %(min)d ký tự."),
    "Field cannot be longer than %(max)d character.": N_("Vui lòng nhập không quá %(max)d ký tự."),
    "Field must be exactly %(max)d character long.": N_("Vui lòng nhập đúng %(max)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.":
        N_("Vui lòng nhập từ %(min)d đến %(max)d ký tự."),
    "Number must be at least %(min)s.": N_("Vui lòng nhập số không nhỏ hơn %(min)s."),
    "Number must be at most %(max)s.": N_("Vui lòng nhập số không lớn hơn %(max)s."),
    "Number must be between %(min)s and %(max)s.": N_("Vui lòng nhập số từ %(min)s đến %(max)s."),
    "Invalid input.": N_("Vui lòng kiểm tra lại giá trị đã nhập."),
    "Invalid email address.": N_("Vui lòng nhập địa chỉ thư điện tử hợp lệ."),
    "Invalid URL.": N_("Vui lòng nhập địa chỉ trang web hợp lệ."),
    "Invalid CSRF Token.": N_("Phiên làm việc không hợp lệ; vui lòng tải lại trang và gửi lại."),
    "CSRF token missing.": N_("Phiên làm việc không hợp lệ; vui lòng tải lại trang và gửi lại."),
    "CSRF failed.": N_("Phiên làm việc không hợp lệ; vui lòng tải lại trang và gửi lại."),
    "CSRF token expired.": N_("Phiên làm việc đã hết hạn; vui lòng tải lại trang và gửi lại."),
    "Not a valid choice.": N_("Vui lòng chọn một trong các lựa chọn có sẵn."),
    "Invalid Choice: could not coerce.": N_("Vui lòng chọn một trong các lựa chọn có sẵn."),
    "Not a valid datetime value.": N_("Vui lòng nhập ngày giờ hợp lệ."),
    "Not a valid date value.": N_("Vui lòng nhập ngày hợp lệ."),
    "Not a valid integer value.": N_("Vui lòng nhập một số nguyên."),
    "Not a valid decimal value.": N_("Vui lòng nhập một số."),
    "Not a valid float value.": N_("Vui lòng nhập một số."),
}


class FormTranslations:
    """What WTForms asks for its texts: the page language's text of each message."""

    def gettext(self, string: str) -> str:
        return gettext(MESSAGES[string]) if string in MESSAGES else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if singular in MESSAGES:
            return gettext(MESSAGES[singular])
        return singular if n == 1 else plural


TRANSLATIONS = FormTranslations()


def init_app(app) -> None:
    # Flask-WTF's own hook would look for a "vi" WTForms catalogue, which does not exist.
    FlaskForm.Meta.get_translations = lambda self, form: TRANSLATIONS
