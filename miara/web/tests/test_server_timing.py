import re


def test_it_reports_the_application_time_when_asked(client, db, settings):
    settings.SERVER_TIMING = True
    response = client.get("/")
    match = re.fullmatch(r"app;dur=(\d+\.\d)", response["Server-Timing"])
    assert match and 0 < float(match.group(1)) < 60_000


def test_it_keeps_the_application_time_to_itself_by_default(client, db):
    # Timings tell a stranger how much work a request caused (e.g. which user names exist).
    response = client.get("/")
    assert response.status_code == 200
    assert not response.has_header("Server-Timing")


def test_pages_are_compressed_for_clients_that_ask(client, bob):
    import gzip

    from django.urls import reverse

    client.force_login(bob)
    page = client.get(reverse("analytics:benchmark", args=["A1"]), HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    assert b"WASTE_PC" in gzip.decompress(page.content)
    plain = client.get(reverse("analytics:benchmark", args=["A1"]))
    assert not plain.has_header("Content-Encoding")
