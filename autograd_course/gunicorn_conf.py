"""gunicorn settings for production (docker-compose.yml, the Dockerfile, tests/support/stack.py).

Threaded workers: the result card and the API hold a request open until an answer is
graded (a long poll, grader/notify.py), and a waiting request must only cost a thread,
not a whole process. One process per core does the CPU work; the threads are for the
waiting: at most WEB_ACTIVE_REQUESTS of a process's threads compute at once
(autograd_course/slots.py), so the many waiting ones never compete for the interpreter
lock. Every thread keeps its own database connection, so PostgreSQL's
max_connections must be above WEB_CONCURRENCY x GUNICORN_THREADS (docker-compose.yml
sets 300). Override with the environment: WEB_CONCURRENCY, GUNICORN_THREADS, PORT.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "64"))
backlog = 2048
timeout = 60
graceful_timeout = 10
# Longer than a student's pause between two requests: a client that sends on a
# keep-alive connection the server has just closed gets a connection error, and a POST
# cannot be retried blindly (5 s gave ~1 such error per 3,000 answers under load).
keepalive = 75
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_worker_init(worker: object) -> None:
    """Load the exercise specs before the first request (without their grading modules:
    a web process never imports torch), then keep what is loaded out of the garbage
    collector's reach (exercises.course.freeze_loaded_objects)."""
    from exercises.course import freeze_loaded_objects

    freeze_loaded_objects()
