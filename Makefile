# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000

.PHONY: install system run test lint messages check clean bench backup restore

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The system libraries WeasyPrint needs for the PDFs (Pango, HarfBuzz, Fontconfig) and a font:
# checked first, with the command that installs what is missing (README, System libraries).
system:
	@$(PYTHON) infra/sistema.py

run: system install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

test: system install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Rebuild the catalogues from the code, then compile them (the .mo files are committed so
# that a fresh machine needs no gettext).
messages: install
	$(PY) manage.py makemessages --locale it --no-obsolete --add-location file --ignore '.venv/*' --ignore 'static/vendor/*'
	$(PY) manage.py compile_catalogues

# The benchmark suite of docs/benchmarks.md: PostgreSQL and Redis (started if down), wrk and
# nginx (installed from apt if missing), the national-size database built once (~4 minutes).
bench: install
	bash bench/prepara.sh
	$(PY) bench/run.py $(BENCH_ARGS)

# Backups (docs/deploy.md): the database the settings name (DATABASE_URL; PostgreSQL in
# pg_dump's custom format, SQLite with its online backup) and the media folder, into
# $(BACKUP_DIR). `make restore FILE=backups/scu-....dump [MEDIA=backups/scu-...-media.tar.gz]`
# restores into an empty database (add RESTORE_ARGS=--sostituisci to replace what it holds).
BACKUP_DIR ?= backups
backup: install
	$(PY) manage.py backup --cartella $(BACKUP_DIR)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/scu-....dump [MEDIA=...-media.tar.gz]"; exit 2; }
	$(PY) manage.py restore $(FILE) $(if $(MEDIA),--media $(MEDIA)) $(RESTORE_ARGS)

check: install
	$(PY) manage.py check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
