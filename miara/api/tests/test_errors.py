"""Every error is JSON `{"detail": ...}` with the right status, never HTML or a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_json_404_for_an_unknown_address(anonymous):
    response = anonymous.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert "no endpoint" in response.json()["detail"]


def test_it_answers_400_for_a_body_that_is_not_json(as_bob):
    response = as_bob.post("/api/v1/values", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_it_answers_json_405_for_a_wrong_method(as_bob):
    response = as_bob.put("/api/v1/values", {}, content_type="application/json")
    assert response.status_code == 405
    assert "PUT is not allowed" in response.json()["detail"]
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
