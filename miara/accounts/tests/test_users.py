"""The coordinators' user management: list, invite, role and units, deactivate."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from miara.accounts.models import AuditEntry, User
from miara.accounts.services import NotAllowed, user_deactivate, user_invite, user_update
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

PASSWORD = "Quiet-river-under-7"


def invite(client, **fields):
    data = {
        "username": "dora",
        "email": "dora@alpha.example",
        "first_name": "Dora",
        "last_name": "Nowak",
        "role": "editor",
        "units": [Unit.objects.get(code="A1").pk],
    } | fields
    return client.post(reverse("accounts:user_invite"), data)


def main_of(html: bytes) -> str:
    """The page's own content (the header around it repeats the address asked for)."""
    return re.search(r"<main.*</main>", html.decode(), re.S).group(0)


class TestWhoMayManageUsers:
    """Editors, managers, experts and strangers meet the same 404 as for a missing page,
    and their posts change nothing."""

    @pytest.fixture
    def endpoints(self, bob):
        return [
            reverse("accounts:users"),
            reverse("accounts:user_invite"),
            reverse("accounts:user_edit", args=[bob.pk]),
            reverse("accounts:user_deactivate", args=[bob.pk]),
            reverse("accounts:user_reactivate", args=[bob.pk]),
            reverse("accounts:user_invitation_resend", args=[bob.pk]),
        ]

    @pytest.mark.parametrize("who", ["bob", "mike", "erin", None])
    def test_others_get_404_and_change_nothing(self, request, client, who, endpoints, bob, alice):
        if who:
            client.force_login(request.getfixturevalue(who))
        missing = client.get("/accounts/no-such-page/")
        assert missing.status_code == 404
        audit_before = AuditEntry.objects.count()
        for url in endpoints:
            response = client.get(url)
            assert response.status_code == 404, url
            assert main_of(response.content) == main_of(missing.content), url
            posted = client.post(url, {"role": "coordinator", "units": []})
            assert posted.status_code == 404, url
        response = invite(client, role="coordinator")
        assert response.status_code == 404
        assert not User.objects.filter(username="dora").exists()
        bob.refresh_from_db()
        assert bob.is_active and bob.role == "editor"
        assert AuditEntry.objects.count() == audit_before
        assert mail.outbox == []

    def test_the_menu_offers_users_to_coordinators_only(self, client, alice, bob):
        client.force_login(bob)
        assert reverse("accounts:users") not in client.get(reverse("home")).content.decode()
        client.force_login(alice)
        assert reverse("accounts:users") in client.get(reverse("home")).content.decode()

    def test_the_services_refuse_others_too(self, bob, mike, carol):
        with pytest.raises(NotAllowed):
            user_update(acting_user=mike, user=bob, role="coordinator", units=[])
        with pytest.raises(NotAllowed):
            user_deactivate(acting_user=mike, user=carol)
        with pytest.raises(NotAllowed):
            user_invite(acting_user=bob, username="x", email="x@example.org", role="expert")
        bob.refresh_from_db()
        carol.refresh_from_db()
        assert bob.role == "editor" and carol.is_active

    def test_a_coordinator_cannot_touch_an_administrators_account(self, client, alice):
        admin = User.objects.create_superuser("root", "root@example.org", "Admin-pass-1234")
        client.force_login(alice)
        assert client.get(reverse("accounts:user_edit", args=[admin.pk])).status_code == 404
        response = client.post(reverse("accounts:user_deactivate", args=[admin.pk]))
        assert response.status_code == 404
        admin.refresh_from_db()
        assert admin.is_active


class TestUserList:
    def test_it_lists_role_units_status_and_last_login(self, client, alice, bob, carol, mike):
        client.force_login(alice)
        response = client.get(reverse("accounts:users"))
        assert response.status_code == 200
        page = response.content.decode()
        rows = {
            u: re.search(rf'<th scope="row"><a href="[^"]+">{u}</a></th>(.*?)</tr>', page, re.S)
            for u in ("alice", "bob", "carol", "mike")
        }
        assert all(rows.values()), page
        bob_row = rows["bob"].group(1)
        assert "Unit editor" in bob_row and "Alpha" in bob_row and "Beta" not in bob_row
        assert "active" in bob_row and "never" in bob_row
        assert "all units" in rows["alice"].group(1)
        assert "Unit manager" in rows["mike"].group(1)

    def test_it_is_translated(self, client, alice):
        client.force_login(alice)
        page = client.get(reverse("accounts:users"), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
        assert "Zaproś użytkownika" in page
        page = client.get(reverse("accounts:users"), HTTP_ACCEPT_LANGUAGE="cs").content.decode()
        assert "Pozvat uživatele" in page


class TestInvite:
    def test_it_creates_an_account_without_password_and_mails_a_link(self, client, alice):
        client.force_login(alice)
        response = invite(client)
        dora = User.objects.get(username="dora")
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:user_edit", args=[dora.pk])
        assert dora.role == "editor" and dora.email == "dora@alpha.example"
        assert [u.code for u in dora.units.all()] == ["A1"]
        assert not dora.has_usable_password()
        entry = AuditEntry.objects.get(action="user.invite")
        assert entry.user == alice and entry.details["user"] == dora.pk
        assert entry.details["units"] == ["A1"]

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["dora@alpha.example"]
        assert "Your user name is dora." in message.body
        link = re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body).group(1)

        client.logout()
        assert not client.login(username="dora", password="")
        page = client.get(link, follow=True)
        assert page.context["validlink"]
        set_url = page.redirect_chain[-1][0]
        weak = client.post(set_url, {"new_password1": "dora", "new_password2": "dora"})
        assert weak.status_code == 400 and "too short" in weak.content.decode()
        done = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
        assert done.status_code == 302 and done["Location"] == reverse("login")
        assert client.login(username="dora", password=PASSWORD)
        assert AuditEntry.objects.filter(action="user.invitation_accept", user=dora).exists()
        # Used once: the link is spent.
        client.logout()
        assert not client.get(link, follow=True).context["validlink"]

    @pytest.mark.parametrize(
        ("fields", "error"),
        [
            ({"units": []}, "act for at least one unit"),
            ({"username": "bob"}, "The user name bob is taken."),
            ({"email": "not-an-address"}, "Enter a valid email address."),
            ({"username": "dora smith"}, "Enter a valid username."),
            ({"role": "admin"}, "Select a valid choice."),
        ],
    )
    def test_it_says_what_is_wrong_and_creates_nothing(self, client, alice, bob, fields, error):
        client.force_login(alice)
        before = User.objects.count()
        response = invite(client, **fields)
        assert response.status_code == 400
        assert error in response.content.decode()
        assert User.objects.count() == before
        assert mail.outbox == []

    def test_it_refuses_an_address_in_use(self, client, alice, bob):
        bob.email = "bob@alpha.example"
        bob.save()
        client.force_login(alice)
        response = invite(client, email="BOB@alpha.example")
        assert response.status_code == 400
        assert "exists already" in response.content.decode()

    def test_it_sends_the_invitation_again(self, client, alice):
        client.force_login(alice)
        invite(client)
        dora = User.objects.get(username="dora")
        response = client.post(reverse("accounts:user_invitation_resend", args=[dora.pk]))
        assert response.status_code == 302
        assert len(mail.outbox) == 2

    def test_a_mail_server_failure_is_said_and_the_account_kept(self, client, alice, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
        settings.EMAIL_USE_TLS = False
        client.force_login(alice)
        response = invite(client)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "could not be sent" in page
        assert User.objects.filter(username="dora").exists()


class TestEdit:
    def test_it_changes_role_and_units_with_an_audit_entry(self, client, alice, bob):
        client.force_login(alice)
        beta = Unit.objects.get(code="B2")
        response = client.post(
            reverse("accounts:user_edit", args=[bob.pk]), {"role": "manager", "units": [beta.pk]}
        )
        assert response.status_code == 302
        bob.refresh_from_db()
        assert bob.role == "manager"
        assert [u.code for u in bob.units.all()] == ["B2"]
        entry = AuditEntry.objects.get(action="user.update")
        assert entry.user == alice
        assert entry.details["before"] == {"role": "editor", "units": ["A1"], "active": True}
        assert entry.details["after"] == {"role": "manager", "units": ["B2"], "active": True}
        page = client.get(reverse("accounts:user_edit", args=[bob.pk])).content.decode()
        assert "user.update" in page  # the account's history

    def test_an_editor_keeps_at_least_one_unit(self, client, alice, bob):
        client.force_login(alice)
        response = client.post(
            reverse("accounts:user_edit", args=[bob.pk]), {"role": "editor", "units": []}
        )
        assert response.status_code == 400
        assert "act for at least one unit" in response.content.decode()
        assert [u.code for u in bob.units.all()] == ["A1"]
        assert not AuditEntry.objects.filter(action="user.update").exists()

    def test_a_coordinator_cannot_change_their_own_role(self, client, alice):
        client.force_login(alice)
        response = client.post(
            reverse("accounts:user_edit", args=[alice.pk]), {"role": "expert", "units": []}
        )
        assert response.status_code == 400
        alice.refresh_from_db()
        assert alice.role == "coordinator"

    def test_an_unknown_user_is_404(self, client, alice):
        client.force_login(alice)
        assert client.get(reverse("accounts:user_edit", args=[99999])).status_code == 404


class TestDeactivate:
    def test_a_deactivated_user_cannot_log_in_until_reactivated(self, client, alice, bob):
        bob_browser = client.__class__()
        assert bob_browser.login(username="bob", password="Correct-horse-42")
        client.force_login(alice)
        response = client.post(reverse("accounts:user_deactivate", args=[bob.pk]))
        assert response.status_code == 302
        bob.refresh_from_db()
        assert not bob.is_active
        # The open session is over, and a new login fails.
        assert bob_browser.get(reverse("profile")).status_code == 302
        assert not bob_browser.login(username="bob", password="Correct-horse-42")
        assert AuditEntry.objects.filter(action="user.deactivate", user=alice).count() == 1

        client.post(reverse("accounts:user_reactivate", args=[bob.pk]))
        bob.refresh_from_db()
        assert bob.is_active
        assert bob_browser.login(username="bob", password="Correct-horse-42")
        assert AuditEntry.objects.filter(action="user.reactivate", user=alice).count() == 1

    def test_a_coordinator_cannot_deactivate_themselves(self, client, alice):
        client.force_login(alice)
        response = client.post(reverse("accounts:user_deactivate", args=[alice.pk]), follow=True)
        assert "You cannot deactivate your own account" in response.content.decode()
        alice.refresh_from_db()
        assert alice.is_active
        assert not AuditEntry.objects.filter(action="user.deactivate").exists()

    def test_it_refuses_a_get(self, client, alice, bob):
        client.force_login(alice)
        assert client.get(reverse("accounts:user_deactivate", args=[bob.pk])).status_code == 405
