"""What the machine must have besides Python: the system libraries WeasyPrint loads to draw
the PDFs (monthly sheets, certificates, reports) and at least one font. `make run` and `make
test` run this first (`python3 infra/sistema.py`): on a bare machine it says what is missing
and how to install it, instead of the first PDF failing. Standard library only, so that it runs
before the virtual environment exists.

Exit status 1 when something required is missing; HarfBuzz-Subset is only advised (WeasyPrint
falls back to fontTools, slower)."""

import ctypes
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Libreria:
    nome: str  # as people know it
    file: tuple[str, ...]  # the names WeasyPrint tries (weasyprint/text/ffi.py), per platform
    richiesta: bool = True


LIBRERIE = (
    Libreria("GObject (GLib)", ("libgobject-2.0.so.0", "libgobject-2.0-0", "libgobject-2.0.0.dylib")),
    Libreria("Pango", ("libpango-1.0.so.0", "libpango-1.0-0", "libpango-1.0.dylib")),
    Libreria("PangoFT2", ("libpangoft2-1.0.so.0", "libpangoft2-1.0-0", "libpangoft2-1.0.dylib")),
    Libreria("HarfBuzz", ("libharfbuzz.so.0", "libharfbuzz-0", "libharfbuzz.0.dylib")),
    Libreria("Fontconfig", ("libfontconfig.so.1", "libfontconfig-1", "libfontconfig.1.dylib")),
    Libreria(
        "HarfBuzz-Subset",
        ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0", "libharfbuzz-subset.0.dylib"),
        richiesta=False,
    ),
)

# How to install them, per family of systems.
COMANDI = {
    "debian": "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 "
    "libfontconfig1 fonts-dejavu-core",
    "fedora": "sudo dnf install pango harfbuzz fontconfig dejavu-sans-fonts dejavu-serif-fonts",
    "alpine": "sudo apk add pango harfbuzz fontconfig font-dejavu",
    "macos": "brew install pango harfbuzz fontconfig",
}


def carica(nomi: tuple[str, ...]) -> bool:
    """Whether one of `nomi` loads, as WeasyPrint would load it."""
    for nome in nomi:
        try:
            ctypes.CDLL(nome)
        except OSError:
            continue
        return True
    return False


def font_installati() -> int:
    """How many fonts Fontconfig knows (0 without fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return 0
    try:
        uscita = subprocess.run([fc_list], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for riga in uscita.stdout.splitlines() if riga.strip())


def famiglia() -> str | None:
    if sys.platform == "darwin":
        return "macos"
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            testo = f.read().lower()
    except OSError:
        return None
    if "debian" in testo or "ubuntu" in testo:
        return "debian"
    if "fedora" in testo or "rhel" in testo or "centos" in testo:
        return "fedora"
    if "alpine" in testo:
        return "alpine"
    return None


def verifica(*, carica=carica, font_installati=font_installati, famiglia=famiglia) -> tuple[int, str]:
    """(exit status, message)."""
    mancanti = [lib for lib in LIBRERIE if not carica(lib.file)]
    richieste = [lib.nome for lib in mancanti if lib.richiesta]
    consigliate = [lib.nome for lib in mancanti if not lib.richiesta]
    senza_font = font_installati() == 0
    if not richieste and not consigliate and not senza_font:
        return 0, "System libraries for PDFs (Pango, HarfBuzz, Fontconfig) and fonts: found."
    righe = []
    if richieste:
        righe.append("Missing system libraries that the PDFs need (WeasyPrint): " + ", ".join(richieste) + ".")
    if senza_font:
        righe.append("No font is installed (fc-list lists none): the PDFs would have no text.")
    if consigliate:
        righe.append(
            "Advised: " + ", ".join(consigliate) + " (without it WeasyPrint embeds fonts more slowly, with fontTools)."
        )
    quale = famiglia()
    righe.append("Install them with:")
    for nome, comando in COMANDI.items():
        if quale is None or nome == quale:
            righe.append(f"  {comando}" if quale else f"  {nome}: {comando}")
    righe.append(
        "See README.md (System libraries) and "
        "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#installation"
    )
    return (1 if richieste or senza_font else 0), "\n".join(righe)


def main() -> int:
    stato, messaggio = verifica()
    print(messaggio, file=sys.stderr if stato else sys.stdout)
    return stato


if __name__ == "__main__":
    if platform.system() == "Windows":
        sys.exit(0)  # WeasyPrint's Windows set-up (MSYS2) is described in its own documentation
    sys.exit(main())
