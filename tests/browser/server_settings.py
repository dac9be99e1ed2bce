"""The test settings, for the gunicorn the browser tests talk to: static files served from the apps.

DEBUG stays off, as in production; WhiteNoise finds the static files where the apps keep them, so
the tests need no `collectstatic` and always serve the stylesheet and scripts of the tree under test.
"""

from config.settings.test import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
