"""Shared infrastructure under every domain app: the outbox of Celery tasks, the tolerant Redis
cache and the per-process memory, SVG charts, formula-safe CSV cells, month arithmetic, form
errors from a service's ValidationError and the integer `in` lookup. Imports nothing of the
project's apps, so any of them may use it."""
