# The gridhub image used by docker-compose.yml: the hub, the CLI and every simulator.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY connectors ./connectors
COPY schemas ./schemas
COPY routes.yaml ./
RUN pip install --no-cache-dir . \
    && useradd --system --home /app gridhub && mkdir -p /app/var/elhub-sim-cert && chown -R gridhub /app/var
USER gridhub
EXPOSE 8201 8080
CMD ["gridhub", "run"]
