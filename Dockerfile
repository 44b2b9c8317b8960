# Steward for production: PostgreSQL, several uvicorn workers, behind a reverse proxy.
# See docs/deployment.md. Build: docker build -t steward .
FROM python:3.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
RUN uv sync --locked --no-dev --no-editable

FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client chromium \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 steward
COPY --from=build /app/.venv /app/.venv
ENV PATH="/app/.venv/bin:$PATH" \
    STEWARD_ENVIRONMENT=production \
    STEWARD_HOST=0.0.0.0 \
    STEWARD_PORT=8000 \
    STEWARD_DATA_DIR=/data \
    STEWARD_BEHIND_TLS=true
RUN mkdir -p /data && chown steward /data
USER 10001
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["steward", "serve", "--workers", "4"]
