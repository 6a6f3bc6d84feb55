# One image for web and worker. The sandbox needs bubblewrap and libseccomp in it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libseccomp2 graphviz \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --index-url https://pypi.org/simple --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only GRADER_SEED_KEY=build-only ALLOWED_HOSTS=x python manage.py collectstatic --noinput
# Not root: the sandbox's uid inside bubblewrap maps to this user outside it.
RUN useradd --system --uid 10001 --home /app app && mkdir -p /var/lib/autograd \
 && chown app /var/lib/autograd
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "autograd_course/gunicorn_conf.py", "autograd_course.wsgi:application"]
