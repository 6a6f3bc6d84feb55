# One image for web and worker, built on the locally made base image (deploy/base-image.sh:
# debootstrap of Debian bookworm + docker import; no image registry is involved). Python
# packages are installed with --no-index from the wheels `make deploy-build` prepares in
# var/deploy/wheels, torch among them as the CPU wheel (torch==2.13.0).
ARG BASE_IMAGE=autograd-base:bookworm

FROM ${BASE_IMAGE} AS os
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 LANG=C.UTF-8
# Debian's Python 3.11; bubblewrap and libseccomp for the sandbox; graphviz for the
# computation-graph pictures.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv bubblewrap libseccomp2 \
      graphviz ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# The venv is built in its own stage: the wheels (about 230 MB) stay out of the final image.
FROM os AS venv
COPY requirements.txt /tmp/
COPY deploy/requirements-image.txt /tmp/deploy/
COPY var/deploy/wheels /tmp/wheels
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-index --find-links /tmp/wheels \
      -r /tmp/deploy/requirements-image.txt

FROM os
COPY --from=venv /opt/venv /opt/venv
# VAR_DIR is set before collectstatic so that STATIC_ROOT (VAR_DIR/staticfiles) is the
# same directory at build time and at run time.
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    VAR_DIR=/var/lib/autograd
# Not root: the sandbox's uid inside bubblewrap maps to this user outside it, and
# RLIMIT_NPROC (which the kernel ignores for root) holds for it.
# /run/agproc: where the worker's entry point mounts a procfs for bubblewrap
# (deploy/worker-entrypoint.sh).
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/autograd --no-create-home app \
 && mkdir -p /app /var/lib/autograd /run/agproc && chown app:app /var/lib/autograd
WORKDIR /app
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only GRADER_SEED_KEY=build-only ALLOWED_HOSTS=x \
      python manage.py collectstatic --noinput -v 0 \
 && chown -R app:app /var/lib/autograd
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "autograd_course/gunicorn_conf.py", "autograd_course.wsgi:application"]
