# The image of docker-compose.yml's worker, HTTP intake and codec server.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY fasttrack fasttrack
COPY workflows workflows
COPY activities activities
COPY workers workers
COPY register register
COPY intake intake
COPY codec_server codec_server
COPY cli cli
RUN pip install --no-cache-dir . && useradd --system fasttrack && mkdir -p /var/lib/fasttrack \
    && chown fasttrack /var/lib/fasttrack
# The register's SQLite file goes here unless FASTTRACK_DATABASE_URL names a database (compose does).
ENV FASTTRACK_DATA_DIR=/var/lib/fasttrack
USER fasttrack
STOPSIGNAL SIGTERM
CMD ["python", "-m", "workers.worker"]
