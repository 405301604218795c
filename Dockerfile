# Production image: the web app under gunicorn; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=network.settings.production \
    WEB_CONCURRENCY=2

# WeasyPrint needs Pango; curl serves the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time (the key is a build-only placeholder).
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app portale \
 && mkdir -p /app/media && chown -R portale /app/media

USER portale
EXPOSE 8000
# gunicorn runs WEB_CONCURRENCY workers. No HEALTHCHECK here: the same image runs the worker,
# beat and the one-shot migration, so each service declares its own in docker-compose.yml.
CMD ["gunicorn", "network.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
