from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "miara.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from miara.accounts import scope
        from miara.accounts.models import User, unit_model

        # Whatever changes who belongs to which unit forgets the units kept on users.
        m2m_changed.connect(scope._memberships_changed, sender=User.units.through)
        for signal in (post_save, post_delete):
            signal.connect(scope._memberships_changed, sender=User)
            signal.connect(scope._memberships_changed, sender=unit_model())
