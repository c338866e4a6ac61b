import pytest
from django.urls import reverse

from miara.accounts.models import AuditEntry
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


class TestAdmin:
    def test_it_lets_coordinators_in_without_the_staff_flag(self, client, alice):
        assert not alice.is_staff
        client.force_login(alice)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        for name in ("units_unit", "catalogue_indicator", "catalogue_peergroup", "accounts_user"):
            assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200

    def test_it_keeps_editors_and_experts_out(self, client, bob, erin):
        for user in (bob, erin):
            client.force_login(user)
            response = client.get(reverse("admin:index"))
            assert response.status_code == 302

    def test_it_shows_history_and_audit_read_only(self, client, alice):
        client.force_login(alice)
        assert client.get(reverse("admin:collection_valuehistory_changelist")).status_code == 200
        assert client.get(reverse("admin:accounts_auditentry_changelist")).status_code == 200
        assert client.get(reverse("admin:collection_valuehistory_add")).status_code == 403
        assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403

    def test_it_audits_a_change_made_in_the_admin(self, client, alice):
        client.force_login(alice)
        unit = Unit.objects.get(code="C3")
        response = client.post(
            reverse("admin:units_unit_change", args=[unit.pk]),
            {"code": "C3", "name": "Gamma Gmina", "type": "gmina_rural", "country": "PL"},
        )
        assert response.status_code == 302
        assert Unit.objects.get(pk=unit.pk).name == "Gamma Gmina"
        entry = AuditEntry.objects.filter(action="unit.change").get()
        assert entry.user == alice and entry.channel == "admin"

    def test_it_rejects_an_indicator_with_an_unknown_code_in_its_formula(self, client, alice):
        client.force_login(alice)
        response = client.post(
            reverse("admin:catalogue_indicator_add"),
            {
                "code": "BROKEN",
                "name": '{"en": "Broken"}',
                "description": "{}",
                "formula": "NO_SUCH_VARIABLE * 2",
                "direction": "higher",
                "unit": "",
                "decimals": 1,
            },
        )
        assert response.status_code == 200
        assert "The formula is not valid" in response.content.decode()
