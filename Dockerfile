# The worker image of docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fasttrack fasttrack
COPY workflows workflows
COPY activities activities
COPY workers workers
RUN pip install --no-cache-dir . && useradd --system fasttrack && mkdir -p /var/lib/fasttrack/notifier \
    && chown fasttrack /var/lib/fasttrack/notifier
USER fasttrack
STOPSIGNAL SIGTERM
CMD ["python", "-m", "workers.worker"]
