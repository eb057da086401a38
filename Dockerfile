# NeuroTag image. Default command: the API under gunicorn. The same image runs `neurotag worker`
# and `neurotag seed` (see docker-compose.yml), all against REDIS_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEUROTAG_SEEDS_DIR=/app/seeds \
    NEUROTAG_DATA_DIR=/app/var

RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin neurotag

# Non-editable install: the packages (with catalog/lua/*.lua and service/static/*) go to site-packages
# and the source tree is removed, so nothing at run time imports from a checkout.
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . && cd / && rm -rf /src

# seeds/ is not a Python package: the engine finds it through NEUROTAG_SEEDS_DIR.
WORKDIR /app
COPY seeds/ /app/seeds/
RUN mkdir -p /app/var && chown neurotag:neurotag /app/var

USER neurotag

EXPOSE 8000

# slim has no curl: probe the liveness endpoint with the standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]

CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--config", "python:service.gunicorn_conf", "service.wsgi:app"]
