"""Password validators whose messages reach the Italian page in Italian."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 5.2 rewrote this message's msgid (`%(min_length)d` became `%d`) while its Italian
    catalogue still translates only the old one, so a short password was refused in English.
    The old msgid, translated everywhere, with the same meaning."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
