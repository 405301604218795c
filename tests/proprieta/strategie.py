"""Hostile values, as hypothesis strategies: text that breaks databases, spreadsheets and
parsers, numbers and dates that are not what they look like, tax codes that nearly pass."""

import datetime
import random
import string

from codicefiscale import codicefiscale
from hypothesis import strategies as st

# What a spreadsheet runs as a formula (OWASP "CSV injection"), and cells that hide one.
FORMULE = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://example.org/x?"&A1,"clic")',
    "=1+1;=2+2",
]

CARATTERI_STRANI = [
    "\x00",  # PostgreSQL refuses it in text
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\U0001f600",  # outside the BMP
    "\u0301",  # a lone combining accent
    "\ud7ff",  # last code point before the surrogates
    "\uffff",  # a non-character
    "\r\n",
    "'",
    '"',
    ";",
    "<script>",
    "%s",
    "%(n)s",
    "{{ x }}",
]

# Text, from plain to hostile: any code point but surrogates (which no request can carry).
testo_qualsiasi = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
testo_strano = st.lists(st.one_of(st.sampled_from(CARATTERI_STRANI), st.text(max_size=3)), min_size=1, max_size=8).map(
    "".join
)
testo_lungo = st.sampled_from(["x", "é", "\u202e", "\U0001f600", "ab;"]).map(lambda c: c * (10_000 // len(c)))
testo_ostile = st.one_of(
    testo_qualsiasi,
    testo_strano,
    testo_lungo,
    st.sampled_from(FORMULE),
    st.just("\x00"),
    st.just(""),
    st.just("   "),
)

email_ostile = st.one_of(st.emails(), st.just("pec@comune.example.it"), st.just("a@b"), testo_ostile)

# Numbers typed as text: out of range, negative, not finite, in other scripts.
# fmt: off
_NUMERI_STRANI = [
    "", "-1", "-0", "0", "0.001", "4,5", "4.5", "24.01", "1e400", "-1e400", "1E+3", "NaN", "sNaN", "-NaN",
    "Infinity", "-Infinity", "inf", "1_000", "0x10", " 5 ", "٣", "５", "½", "99999999999999999999", "5\x00",
    "2147483648", "32768", "9223372036854775808",
]
# fmt: on
numero_testo = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str), st.sampled_from(_NUMERI_STRANI), testo_strano
)

# Dates typed as text, in the formats forms read and in broken ones.
_DATE_ROTTE = [
    "31/02/2024", "30/02/2025", "00/00/0000", "01/01/0001", "31/12/9999", "29/02/2023", "32/01/2024",
    "2024-02-30", "0001-01-01", "9999-12-31", "0000-00-00", "2024-13-01", "24-1-1", "1/1/1", "", " ",
    "31/12/99999", "2024-02-29T00:00", "\x002024-01-01", "10000-01-01",
]  # fmt: skip
date_estreme = st.one_of(
    st.dates(),
    st.sampled_from([datetime.date.min, datetime.date.max, datetime.date(1, 1, 2), datetime.date(9999, 12, 30)]),
)
data_testo = st.one_of(
    st.sampled_from(_DATE_ROTTE),
    date_estreme.map(lambda d: d.isoformat()),
    date_estreme.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    testo_strano,
)
mese_testo = st.one_of(
    st.sampled_from(["0001-01", "9999-12", "0000-00", "2024-13", "2024-00", "1-1", "", "\x00", "2024-1", "99999-01"]),
    date_estreme.map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    testo_strano,
)


def _cf_valido(seme: int) -> str:
    rnd = random.Random(seme)
    nascita = datetime.date(1990, 1, 1) + datetime.timedelta(days=rnd.randrange(365 * 40))
    return codicefiscale.encode(
        lastname=rnd.choice(["Rossi", "Bianchi", "Neri", "Xu", "D'Angelo"]),
        firstname=rnd.choice(["Anna", "Luca", "Ugo"]),
        gender=rnd.choice("MF"),
        birthdate=nascita.strftime("%d/%m/%Y"),
        birthplace=rnd.choice(["A794", "F205", "H501", "Z404"]),
    )


def _carattere_di_controllo_sbagliato(cf: str) -> str:
    return cf[:15] + next(c for c in string.ascii_uppercase if c != cf[15])


cf_valido = st.integers(min_value=0, max_value=10**6).map(_cf_valido)
codice_fiscale_ostile = st.one_of(
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=16, max_size=16),
    cf_valido.map(_carattere_di_controllo_sbagliato),
    cf_valido.map(str.lower),
    cf_valido.map(lambda cf: " ".join(cf)),
    cf_valido.map(lambda cf: cf[:15]),
    cf_valido.map(lambda cf: cf + "X"),
    cf_valido,  # valid, but the person may be too young or too old
    testo_strano,
)


@st.composite
def modulo(draw, validi: dict, ostili: dict):
    """Form data: every field valid but a few drawn hostile. Mostly just one, so that the checks
    behind the first error (the service's, the database's) are reached too; sometimes all."""
    nomi = sorted(ostili)
    quanti = draw(st.sampled_from([0, 1, 1, 1, 1, 2, 2, 3, len(nomi)]))
    guasti = set(draw(st.permutations(nomi))[:quanti])
    return {n: draw(ostili[n] if n in guasti else validi[n]) for n in sorted({*validi, *ostili})}


# The values each kind of field is always tried with, one field at a time over a valid form
# (tests' *_valori_critici): the random examples explore, these make sure.
CRITICI = {
    "testo": ["\x00", "a\x00b", "x" * 10_000, "=cmd|' /C calc'!A0", "\u202e\u200f", "   "],
    "numero": ["NaN", "1e400", "-1", "99999999999999999999", "9223372036854775808", "0.001", "abc", "\x00", ""],
    "data": ["9999-12-31", "31/12/9999", "0001-01-01", "01/01/0001", "31/02/2024", "00/00/0000", "\x00"],
    "id": ["0", "-1", "abc", "9223372036854775808", "99999999999999999999", "\x00", ""],
    "mese": ["0001-01", "9999-12", "0000-00", "2024-13", "\x00"],
    "email": ["\x00@example.org", "a@b", "x" * 300 + "@example.org", "=1+1@example.org", "not an e-mail"],
    "password": ["abc", "1234567890", "password123", "Nadia Nuova", "\x00" * 12, "x" * 10_000, "   "],
}
