"""Passwords a person runs alone: change, reset by e-mail, the policy everywhere."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from miara.accounts.models import AuditEntry, User
from miara.accounts.services import AccountError, user_add
from miara.cli import main

pytestmark = pytest.mark.django_db

OLD = "Correct-horse-42"  # the fixture users' password
NEW = "Quiet-river-under-7"


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


class TestPasswordChange:
    def test_the_profile_links_to_it(self, client, bob):
        client.force_login(bob)
        page = client.get(reverse("profile")).content.decode()
        assert reverse("accounts:password_change") in page

    def test_it_needs_a_login(self, client):
        response = client.get(reverse("accounts:password_change"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_changes_the_password_and_keeps_the_session(self, client, bob):
        client.force_login(bob)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("profile")
        page = client.get(reverse("profile"))
        assert page.status_code == 200  # still logged in on this browser
        assert "Your password was changed." in page.content.decode()
        bob.refresh_from_db()
        assert bob.check_password(NEW)
        entry = AuditEntry.objects.get(action="user.password_change")
        assert entry.user == bob and entry.channel == "web"

    def test_it_needs_the_current_password(self, client, bob):
        client.force_login(bob)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": "not-my-password", "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 400
        assert "Your old password was entered incorrectly" in response.content.decode()
        bob.refresh_from_db()
        assert bob.check_password(OLD)

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("Short-1a", "This password is too short. It must contain at least 12 characters."),
            ("483920571638", "This password is entirely numeric."),
            ("qwertyuiop12", "This password is too common."),
            ("alphaeditor1", "The password is too similar to the email address."),
        ],
    )
    def test_it_applies_the_password_policy(self, client, bob, password, message):
        bob.email = "alphaeditor@alpha.example"
        bob.save()
        client.force_login(bob)
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": OLD, "new_password1": password, "new_password2": password},
        )
        assert response.status_code == 400
        assert message in response.content.decode()
        bob.refresh_from_db()
        assert bob.check_password(OLD)
        assert not AuditEntry.objects.filter(action="user.password_change").exists()

    def test_it_is_translated(self, client, bob):
        client.force_login(bob)
        page = client.get(reverse("accounts:password_change"), HTTP_ACCEPT_LANGUAGE="pl")
        assert "Zmień hasło" in page.content.decode()


class TestPasswordReset:
    @pytest.fixture
    def bob(self, bob):
        bob.email = "bob@alpha.example"
        bob.save()
        return bob

    def test_the_login_page_links_to_it(self, client, db):
        page = client.get(reverse("login")).content.decode()
        assert "Forgot your password?" in page
        assert reverse("accounts:password_reset") in page

    def test_it_mails_a_link_that_sets_a_new_password_once(self, client, bob):
        response = client.post(reverse("accounts:password_reset"), {"email": "BOB@alpha.example"})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["bob@alpha.example"]
        assert "Your user name is bob." in message.body
        link = link_in(message)

        form_page = client.get(link, follow=True)
        assert form_page.status_code == 200 and form_page.context["validlink"]
        set_url = form_page.redirect_chain[-1][0]
        weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
        assert weak.status_code == 400
        assert "too short" in weak.content.decode()
        done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
        assert done.status_code == 302 and done["Location"] == reverse("login")

        bob.refresh_from_db()
        assert bob.check_password(NEW)
        assert AuditEntry.objects.filter(action="user.password_reset", user=bob).count() == 1
        assert client.login(username="bob", password=NEW)
        client.logout()
        # The token was bound to the old password: the link is spent.
        again = client.get(link, follow=True)
        assert not again.context["validlink"]
        assert "This link does not work any more" in again.content.decode()

    def test_an_unknown_address_looks_the_same_and_mails_nothing(self, client, bob):
        response = client.post(reverse("accounts:password_reset"), {"email": "who@nowhere.example"})
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []

    def test_a_deactivated_account_gets_no_mail_and_old_links_fail(self, client, bob):
        client.post(reverse("accounts:password_reset"), {"email": bob.email})
        link = link_in(mail.outbox[0])
        bob.is_active = False
        bob.save()
        assert not client.get(link, follow=True).context["validlink"]
        client.post(reverse("accounts:password_reset"), {"email": bob.email})
        assert len(mail.outbox) == 1

    def test_a_malformed_address_is_a_clear_error(self, client, db):
        response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
        assert response.status_code == 400
        assert "Enter a valid email address." in response.content.decode()

    def test_the_mail_is_in_the_language_of_the_page(self, client, bob):
        client.post(
            reverse("accounts:password_reset"), {"email": bob.email}, HTTP_ACCEPT_LANGUAGE="cs"
        )
        assert "Vaše uživatelské jméno je bob." in mail.outbox[0].body


class TestPolicyOnTheCommandLine:
    def test_user_add_refuses_a_weak_password(self, programme, capsys):
        code = main(
            ["user", "add", "dora", "--role", "editor", "--unit", "A1", "--password", "dora1"]
        )
        assert code == 1
        err = capsys.readouterr().err
        assert "password rejected" in err and "at least 12 characters" in err
        assert not User.objects.filter(username="dora").exists()

    def test_the_demo_password_meets_the_policy(self, programme):
        user, _ = user_add(username="koordynator", role="coordinator", password="miara-demo-2025")
        assert user.check_password("miara-demo-2025")

    def test_user_add_names_each_broken_rule(self, programme):
        with pytest.raises(AccountError, match="entirely numeric"):
            user_add(username="eve", role="expert", password="483920571638")
