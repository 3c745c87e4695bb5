"""Mutual TLS through the SDK's environment configuration: the command line reaches a
cluster that asks for a client certificate with TEMPORAL_TLS_* settings alone, and
a client without the right certificate is turned away."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.support.tls_proxy import make_certificates, start_mtls_proxy

FASTTRACK = str(Path(sys.executable).parent / "fasttrack")


async def fasttrack_list(environment: dict[str, str]) -> tuple[int, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TEMPORAL_")}
    process = await asyncio.create_subprocess_exec(
        FASTTRACK, "list", env={**env, "TEMPORAL_CONFIG_FILE": os.devnull, **environment},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return await process.wait(), output.decode()


@pytest.fixture
async def proxy(dev_server_env, tmp_path):
    certificates = make_certificates(tmp_path)
    server = await start_mtls_proxy(certificates, dev_server_env.client.service_client.config.target_host)
    yield certificates, f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()


async def test_the_cli_reaches_a_cluster_that_asks_for_its_certificate(proxy):
    certificates, address = proxy
    code, output = await fasttrack_list({
        "TEMPORAL_ADDRESS": address, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(certificates.ca),
        "TEMPORAL_TLS_CLIENT_CERT_PATH": str(certificates.client_cert),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(certificates.client_key), "TEMPORAL_TLS_SERVER_NAME": "localhost",
    })
    assert code == 0, output


@pytest.mark.parametrize("client", ["none", "stranger"])
async def test_a_client_without_a_certificate_of_the_cluster_is_turned_away(proxy, client):
    certificates, address = proxy
    environment = {"TEMPORAL_ADDRESS": address, "TEMPORAL_TLS": "true",
                   "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(certificates.ca), "TEMPORAL_TLS_SERVER_NAME": "localhost"}
    if client == "stranger":
        environment |= {"TEMPORAL_TLS_CLIENT_CERT_PATH": str(certificates.stranger_cert),
                        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(certificates.stranger_key)}
    code, output = await fasttrack_list(environment)
    assert code != 0
    assert f"Cannot reach Temporal at {address}" in output, output
