from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.exceptions import PermissionDenied

from accounts.audit import client_ip
from infra.indirizzi import url_portale

# ACCOUNT_RATE_LIMITS' action for the failures on one address from any client.
FALLITI_PER_INDIRIZZO = "login_failed_address"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Nobody signs up on their own: people join by invitation (network/inviti) and
        comuni ask for access with their ente's data."""
        return False

    # --- Sign-in throttling -------------------------------------------------------------
    # allauth counts failed sign-ins per client IP and per "key" (its key is the address
    # alone, so anyone could lock a named person out by typing wrong passwords for them).
    # Here the strict limit (ACCOUNT_RATE_LIMITS["login_failed"], "/key") counts per address
    # AND client IP, and a looser one (FALLITI_PER_INDIRIZZO) per address from anywhere, which
    # a third party reaches only from many addresses (docs/deploy.md, Sign-in throttling).

    def get_client_ip(self, request) -> str:
        """The client's address as the configured trusted proxy header tells it (or the
        connection's, with no proxy): never X-Forwarded-For, which anyone can write."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def _indirizzo(self, credentials) -> str:
        return credentials.get("email", credentials.get("username", "")).strip().lower()

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return f"{self._indirizzo(credentials)}|{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials) -> None:
        self._uso_indirizzo = None
        super().pre_authenticate(request, **credentials)
        self._uso_indirizzo = ratelimit.consume(
            request, app="allauth.account", action=FALLITI_PER_INDIRIZZO, key=self._indirizzo(credentials)
        )
        if not self._uso_indirizzo:
            super()._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self) -> None:
        # A successful sign-in gives back what this attempt consumed, of both limits.
        super()._rollback_login_failed_rl_usage()
        uso = getattr(self, "_uso_indirizzo", None)
        if uso:
            uso.rollback()

    # --- Links in e-mails ----------------------------------------------------------------
    # allauth builds them from the request's Host; the portal's are built on PORTALE_URL,
    # whatever Host a request carried.

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _sul_portale(self.request, super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return _sul_portale(request, super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = getattr(self, "request", None)
        context = {
            **{k: _sul_portale(request, v) if k.endswith("_url") else v for k, v in context.items()},
            "current_site": _SitoPortale(),
        }
        super().send_mail(template_prefix, email, context)


class _SitoPortale:
    """What allauth's e-mail templates read as `current_site`: the configured portal."""

    name = "Rete Servizio Civile"

    @property
    def domain(self) -> str:
        return settings.PORTALE_URL.split("://", 1)[-1].rstrip("/")


def _sul_portale(request, url):
    """`url` built on the request's host, rebuilt on PORTALE_URL."""
    if not isinstance(url, str) or request is None:
        return url
    radice = request.build_absolute_uri("/")
    if url.startswith(radice):
        return url_portale("/" + url[len(radice) :])
    return url
