import os

from celery import Celery

# Every process imports this first (config/__init__.py), so its default is the one a web server
# gets too: production, which refuses to start without its secrets, rather than local settings that
# sign tokens with a key in the repository. manage.py and `make run` ask for local settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("rehab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
