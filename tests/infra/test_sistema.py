"""`make run` and `make test` check the system libraries WeasyPrint needs and say how to
install what is missing (issue 19)."""

import re
from pathlib import Path

from infra import sistema

ROOT = Path(__file__).resolve().parents[2]


def tutto(nomi):
    return True


def test_all_found_says_so():
    stato, messaggio = sistema.verifica(carica=tutto, font_installati=lambda: 12, famiglia=lambda: "debian")
    assert stato == 0 and "found" in messaggio


def test_a_missing_pango_stops_with_the_command_that_installs_it():
    def senza_pango(nomi):
        return not any("pango-1.0" in n for n in nomi)

    stato, messaggio = sistema.verifica(carica=senza_pango, font_installati=lambda: 12, famiglia=lambda: "debian")
    assert stato == 1
    assert "Pango" in messaggio and "PangoFT2" not in messaggio.split("Install")[0].split(":")[1]
    assert "sudo apt-get install libpango-1.0-0" in messaggio
    assert "dnf" not in messaggio  # only the command for this system


def test_missing_harfbuzz_and_fonts_on_an_unknown_system_list_every_command():
    def senza_harfbuzz(nomi):
        return not any("harfbuzz" in n for n in nomi)

    stato, messaggio = sistema.verifica(carica=senza_harfbuzz, font_installati=lambda: 0, famiglia=lambda: None)
    assert stato == 1
    assert "HarfBuzz" in messaggio and "No font is installed" in messaggio
    for comando in sistema.COMANDI.values():
        assert comando in messaggio


def test_harfbuzz_subset_alone_is_advised_not_required():
    def senza_subset(nomi):
        return not any("subset" in n for n in nomi)

    stato, messaggio = sistema.verifica(carica=senza_subset, font_installati=lambda: 3, famiglia=lambda: "macos")
    assert stato == 0
    assert "Advised: HarfBuzz-Subset" in messaggio and "brew install" in messaggio


def test_the_names_are_those_weasyprint_loads():
    import weasyprint.text.ffi as ffi

    sorgente = Path(ffi.__file__).read_text()
    for lib in sistema.LIBRERIE:
        assert lib.file[0] in sorgente, lib.nome


def test_make_run_and_make_test_check_first_and_the_readme_lists_them():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: system install$", makefile, re.M)
    assert re.search(r"^test: system install$", makefile, re.M)
    assert re.search(r"^system:\n\t@\$\(PYTHON\) infra/sistema.py$", makefile, re.M)
    readme = (ROOT / "README.md").read_text()
    for nome in ("Pango", "HarfBuzz", "Fontconfig", "fonts-dejavu-core"):
        assert nome in readme
