import os

from django.core.wsgi import get_wsgi_application

# A web server is a deployment unless told otherwise (as in config/celery.py, imported first):
# production settings refuse to start without their secrets.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
