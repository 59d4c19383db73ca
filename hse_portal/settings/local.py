"""Developer laptop: debug on, a fixed insecure key, console e-mail."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
