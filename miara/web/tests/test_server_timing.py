import re


def test_it_reports_the_application_time(client, db):
    response = client.get("/")
    match = re.fullmatch(r"app;dur=(\d+\.\d)", response["Server-Timing"])
    assert match and 0 < float(match.group(1)) < 60_000
