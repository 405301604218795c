"""gunicorn's access log without personal data or secrets (gunicorn.conf.py points at it).

gunicorn logs outside Django's LOGGING, so RedactSecretsFilter never sees its lines: here the
request line, the path, the query and the Referer lose secrets (invitation, e-mail and
password-reset keys, calendar keys) and the values of query parameters (a search may be a
name or a tax code). Needs no Django set-up: gunicorn's master process loads it."""

from gunicorn.glogging import Logger

from network.logfilters import indirizzo_per_i_log, solo_nomi


class AccessLogSenzaDatiPersonali(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        indirizzo = indirizzo_per_i_log(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {indirizzo} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = indirizzo_per_i_log(environ.get("PATH_INFO") or "")
        atoms["q"] = solo_nomi(environ.get("QUERY_STRING") or "")
        referer = environ.get("HTTP_REFERER")
        atoms["f"] = indirizzo_per_i_log(referer) if referer else "-"
        # Header and environ atoms, should a format use them: addresses cleaned, credentials never.
        for chiave in ("{referer}i", "{location}o", "{http_referer}e", "{raw_uri}e", "{path_info}e"):
            if atoms.get(chiave):
                atoms[chiave] = indirizzo_per_i_log(atoms[chiave])
        if "{query_string}e" in atoms:
            atoms["{query_string}e"] = atoms["q"]
        for chiave in ("{cookie}i", "{authorization}i", "{set-cookie}o", "{http_cookie}e", "{http_authorization}e"):
            if chiave in atoms:
                atoms[chiave] = "-"
        return atoms
