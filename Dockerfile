# The production image: gunicorn for the web, the same image for the Celery
# worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

# .dockerignore keeps out what is not the product: the cohort simulator (rehab/devtools) and bench/.
COPY . .

# collectstatic reads settings only; these placeholders never reach a running container.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    REDIS_URL=redis://unused:6379/0 DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input \
    && useradd --system --create-home --home-dir /home/app app \
    && mkdir -p /data/media && chown -R app /app /data/media

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"

# The access log leaves out query strings: a dashboard search carries a patient's name.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-", "--logger-class", "config.access_log.GunicornLogger"]
