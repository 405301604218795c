import time

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LimiteCorpoMiddleware:
    """Refuses a request whose body is larger than RICHIESTA_MAX_BYTES from its Content-Length,
    before anything reads the body (Django would read a whole upload into memory or a temporary
    file before the view could check its size). First in MIDDLEWARE. A body sent without a
    Content-Length is not read at all by Django's WSGI handler. The reverse proxy refuses such
    bodies even earlier (nginx's client_max_body_size, docs/deploy.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            lunghezza = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            lunghezza = 0
        if lunghezza > settings.RICHIESTA_MAX_BYTES:
            scelta = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            lingua = scelta if scelta in {c for c, _n in settings.LANGUAGES} else settings.LANGUAGE_CODE
            with translation.override(lingua):
                pagina = render_to_string(
                    "413.html", {"mb": settings.RICHIESTA_MAX_BYTES // (1024 * 1024), "lingua": lingua}
                )
            risposta = HttpResponse(pagina, status=413)
            # The rest of the body is never read: the connection cannot carry another request.
            risposta["Connection"] = "close"
            return risposta
        return self.get_response(request)


class LanguageMiddleware:
    """Italian unless the visitor chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a public
    administration portal speaks Italian by default and offers English on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class PolicyMiddleware:
    """Applies enti.policy.URL_POLICY to every resolved view: denied by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import render

        from enti import policy

        name = request.resolver_match.view_name if request.resolver_match else None
        if policy.consentito(request.user, name):
            return None
        if not request.user.is_authenticated and policy.regola(name) is not None:
            return redirect_to_login(request.get_full_path())
        # An expected refusal, not an error: answered without a traceback in the logs.
        return render(request, "403.html", status=403)


class RequireMFAMiddleware:
    """Network staff and Django admin users must have a second factor (TOTP) before they
    can use anything but the pages that set it up."""

    EXEMPT_PREFIXES = ("mfa_", "pubblico:")
    EXEMPT = frozenset({"account_logout", "set_language", "home", "account_confirm_email", "salute"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from allauth.mfa.models import Authenticator
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        from enti import policy

        user = request.user
        if not policy.richiede_mfa(user):
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in self.EXEMPT or name.startswith(self.EXEMPT_PREFIXES):
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        messages.warning(
            request,
            _("Your role requires two-step verification: set up an authenticator app to continue."),
        )
        return redirect("mfa_activate_totp")


class SecurityHeadersMiddleware:
    """The headers Django 5.2 does not set itself: Content-Security-Policy and
    Permissions-Policy, built once from settings.SECURE_CSP and settings.PERMISSIONS_POLICY.

    A view that needs another policy sets the header itself: it is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = "; ".join(
            " ".join([direttiva, *valori]) for direttiva, valori in getattr(settings, "SECURE_CSP", {}).items()
        )
        self.permessi = ", ".join(
            f"{funzione}=({' '.join(origini)})"
            for funzione, origini in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp:
            response.headers.setdefault("Content-Security-Policy", self.csp)
        if self.permessi:
            response.headers.setdefault("Permissions-Policy", self.permessi)
        return response


class UserSessionsMiddleware:
    """allauth's session tracking (the user's list of signed-in devices: address, browser, last
    seen), written at most once a minute per session and client instead of on every request.

    allauth's own middleware runs a transaction on every signed-in request (read the row, read
    the user again, update `last_seen_at`, commit): five statements and a commit that waits for
    the disk, most of the cost of a light page such as the register's grid (docs/benchmarks.md).
    Here each worker remembers when it last recorded a (session, user, address, browser): a new
    session, a new address or a new browser is recorded at once, as before (allauth's
    `session_client_changed` signal too); only the "last seen" time is coarser, by at most
    `USERSESSIONS_ATTIVITA_SECONDI` (0 writes on every request, as allauth does)."""

    MASSIMO = 10_000  # remembered keys per worker; beyond, the memory starts again

    def __init__(self, get_response):
        self.get_response = get_response
        self.viste: dict[tuple, float] = {}

    def __call__(self, request):
        from allauth.usersessions import app_settings

        if (
            app_settings.TRACK_ACTIVITY
            and hasattr(request, "session")
            and request.session.session_key
            and hasattr(request, "user")
            and request.user.is_authenticated
        ):
            self.registra(request)
        return self.get_response(request)

    def registra(self, request) -> None:
        from allauth.account.adapter import get_adapter
        from allauth.usersessions.models import UserSession

        secondi = getattr(settings, "USERSESSIONS_ATTIVITA_SECONDI", 60)
        chiave = (
            request.session.session_key,
            request.user.pk,
            get_adapter().get_client_ip(request),
            request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length],
        )
        adesso = time.monotonic()
        ultima = self.viste.get(chiave)
        if ultima is not None and adesso - ultima < secondi:
            return
        UserSession.objects.create_from_request(request)
        if len(self.viste) >= self.MASSIMO:
            self.viste.clear()
        self.viste[chiave] = adesso
