# Loupe image, two process types (see Procfile): the web (gunicorn, the default command, settings in
# gunicorn.conf.py) and the job worker (`flask --app app jobs worker`). Migrations are a separate command (README).
#
# The base image is pinned by digest, so a rebuild gets the same bytes and a scanner reports on a known image. The
# digest below is the multi-arch index of python:3.11-slim-bookworm as published in other projects' Dockerfiles; it
# was NOT checked against Docker Hub from here (no registry access). Check or refresh it with
#   docker buildx imagetools inspect python:3.11-slim-bookworm
# and override it without editing this file: docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:b18992999dbe963a45a8a4da40ac2b1975be1a776d939d098c647482bcad5cba
# No gunicorn access log: the app writes one JSON line per request (logger loupe.request, with its request id);
# gunicorn's plain-text one does not escape what it prints (security/logs.py).
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LOUPE_ENV=production PORT=8000
WORKDIR /app

# Runtime dependencies only: requirements.txt has no test tools and no pgserver (the embedded PostgreSQL of
# development and tests, in requirements-dev.txt), so production reaches its database through DATABASE_URL.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# The code belongs to root and nobody else may write it: a compromised web or worker process cannot change what
# runs next. Byte code is compiled now, as root, because the runtime user cannot write it.
COPY --chown=root:root . .
# The translation catalogs are compiled here (the .mo files are built, never committed: `make translations`).
RUN python -m i18n.catalogs compile \
    && python -m compileall -q /app \
    && chmod -R u=rwX,go=rX /app \
    && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin loupe
USER loupe

EXPOSE 8000
# Docker's health check calls the web's /healthz (database and job queue reachable). It is for the web process
# type: a worker container (same image, `flask --app app jobs worker`) serves no HTTP, so turn it off there
# (compose: `healthcheck: {disable: true}`; docker run: `--no-healthcheck`). No curl in the slim image: Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; u = 'http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'); sys.exit(0 if urllib.request.urlopen(u, timeout=4).status == 200 else 1)"]
# Workers, bind address, timeout and logs come from gunicorn.conf.py, which reads WEB_CONCURRENCY, PORT, ...
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
