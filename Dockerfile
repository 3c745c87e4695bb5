# The image of docker-compose.yml's product services (the worker, the HTTP intake,
# the customer's page, the team's board and the codec server; the worker service
# builds it, once, for all of them): the product installed from requirements.lock
# (pinned, hashed, no dev-only package: neither the Temporal dev server nor the
# SMTP sink), run as a non-root user.
# tests/e2e/test_image_install.py runs the build stage's steps as written here.

FROM python:3.11-slim AS build
WORKDIR /build
RUN python -m venv /opt/fasttrack
COPY requirements.lock ./
RUN /opt/fasttrack/bin/pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY fasttrack fasttrack
COPY workflows workflows
COPY activities activities
COPY workers workers
COPY engagement_client engagement_client
COPY process_support process_support
COPY register register
COPY intake intake
COPY codec_server codec_server
COPY customer_page customer_page
COPY board board
COPY cli cli
COPY simulation simulation
COPY devstack devstack
# The build backend comes from the lock file too (no unpinned download at build time).
RUN /opt/fasttrack/bin/pip install --no-cache-dir --no-deps --no-build-isolation .

FROM python:3.11-slim
COPY --from=build /opt/fasttrack /opt/fasttrack
RUN useradd --system --uid 10001 --no-create-home fasttrack \
    && mkdir -p /var/lib/fasttrack && chown 10001:10001 /var/lib/fasttrack
# The register's SQLite file goes here unless FASTTRACK_DATABASE_URL names a database (compose does).
ENV PATH=/opt/fasttrack/bin:$PATH \
    FASTTRACK_DATA_DIR=/var/lib/fasttrack \
    FASTTRACK_METRICS_HOST=0.0.0.0 \
    FASTTRACK_METRICS_PORT=9464 \
    PYTHONUNBUFFERED=1
WORKDIR /var/lib/fasttrack
USER 10001:10001
# The worker's health, readiness and metrics (FASTTRACK_METRICS_PORT); compose gives
# the other services checks of their own.
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "process_support.healthcheck", "http://127.0.0.1:9464/readyz"]
STOPSIGNAL SIGTERM
CMD ["fasttrack", "worker"]
