import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograd_course.settings")

app = Celery("autograd_course")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

if app.conf.broker_url and app.conf.broker_url.startswith("sqla+"):
    # The no-server broker for `make run`. Its poll interval must be set on the class:
    # as a transport option it is handed to SQLAlchemy's create_engine, which rejects it.
    from kombu.transport import sqlalchemy as _sqla

    _sqla.Transport.polling_interval = 0.1
