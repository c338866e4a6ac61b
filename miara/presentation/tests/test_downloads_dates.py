"""Downloads, moments and escaping as every page writes them."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import timezone, translation

from miara.fileio.numbers import number_text
from miara.presentation.dates import moment_text
from miara.presentation.downloads import XLSX, csv_response, file_response
from miara.presentation.html import escape


def test_csv_response_is_an_inert_named_attachment():
    response, writer = csv_response("miara-x.csv")
    writer.writerow(["=SUM(A1)", -5, "-1.5e-3", 0.5])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="miara-x.csv"'
    assert response.content == b"'=SUM(A1),-5,-1.5e-3,0.5\n"


def test_file_response_names_the_attachment():
    response = file_response(b"PK", filename="miara-2024-U1.xlsx", content_type=XLSX)
    assert response.content == b"PK"
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="miara-2024-U1.xlsx"'


def test_moment_text_gives_the_time_today_and_the_date_before(settings):
    now = timezone.localtime()
    assert moment_text(now) == now.strftime("%H:%M")
    earlier = now - dt.timedelta(days=3)
    assert moment_text(earlier) == earlier.strftime("%Y-%m-%d %H:%M")


def test_escape_writes_text_safe_in_html_and_attributes():
    assert escape("<a href=\"x\">Ł & 'b'</a>") == (
        "&lt;a href=&quot;x&quot;&gt;Ł &amp; &#x27;b&#x27;&lt;/a&gt;"
    )
    assert escape(12) == "12"


def test_number_text_is_exact_and_drops_a_whole_number_s_point():
    assert number_text(12.0) == "12"
    assert number_text(0.1 + 0.2) == "0.30000000000000004"
    assert number_text(1e16) == "1e+16"
    assert number_text(None) == ""


def test_limit_filter_shows_whole_limits_without_decimals():
    template = Template("{% load miara %}{{ a|limit }} {{ b|limit }} {{ c|limit }}")
    with translation.override("pl"):
        text = template.render(Context({"a": 20000.0, "b": 0.5, "c": None}))
    assert text == "20\xa0000 0,500 "
