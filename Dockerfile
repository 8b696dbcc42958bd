# Loupe image, two process types (see Procfile): the web (gunicorn, the default command) and the job worker
# (`flask --app app jobs worker`). Migrations are a separate command (see README).
# No gunicorn access log: the app writes one JSON line per request (logger loupe.request, with its request id);
# gunicorn's plain-text one does not escape what it prints (security/logs.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LOUPE_ENV=production
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --system --home-dir /app loupe && chown -R loupe /app
USER loupe

EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "--no-control-socket", "app:create_app()"]
