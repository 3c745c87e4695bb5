"""The codec server, as a process: Temporal's remote codec protocol over the payload
keys, behind a token, open to the UI's origin only."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from codec_server.settings import CodecServerSettings
from devstack.ports import free_port, port_is_open
from devstack.processes import fasttrack_program, wait_for
from engagement_client.codec import KEY_ID, EncryptionCodec
from tests.support.encryption import new_key
from tests.support.stack_process import REPOSITORY

UI_ORIGIN = "http://127.0.0.1:8233"


@pytest.fixture
def codec_server(tmp_path):
    """A codec server with key 2 current and key 1 still configured, and the codecs each key alone gives."""
    key_1, key_2 = new_key("key-1"), new_key("key-2")
    token, port = secrets.token_urlsafe(32), free_port()
    log = tmp_path / "codec.log"
    process = subprocess.Popen(
        fasttrack_program("codec-server"), cwd=REPOSITORY, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
        env={**os.environ, **CodecServerSettings.environment(encryption_keys=f"{key_2},{key_1}", codec_token=token,
                                                             codec_port=port, codec_origins=UI_ORIGIN)},
    )
    wait_for(lambda: port_is_open(port), process, "The codec server")
    yield {"url": f"http://127.0.0.1:{port}", "token": token, "key_1": EncryptionCodec.from_configuration(key_1),
           "unknown": EncryptionCodec.from_configuration(new_key("key-3")), "log": log}
    process.terminate()
    process.wait(20)


def as_json(*payloads: Payload) -> str:
    return json_format.MessageToJson(Payloads(payloads=payloads))


def from_json(text: str) -> list[Payload]:
    return list(json_format.Parse(text, Payloads()).payloads)


PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"email": "it-admin@contoso.example"}')


async def test_encode_then_decode_through_the_protocol(codec_server):
    bearer = {"Authorization": f"Bearer {codec_server['token']}"}
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        encoded = await http.post("/encode", content=as_json(PLAIN), headers=bearer)
        assert encoded.status_code == 200, encoded.text
        (sealed,) = from_json(encoded.text)
        assert sealed.metadata[KEY_ID] == b"key-2"  # the current key
        assert b"contoso" not in sealed.data
        # The UI's form: the token as the endpoint's first segment, the namespace in a header.
        decoded = await http.post(f"/{codec_server['token']}/decode", content=encoded.text,
                                  headers={"X-Namespace": "default", "Content-Type": "application/json"})
        assert decoded.status_code == 200, decoded.text
        assert from_json(decoded.text) == [PLAIN]


async def test_a_payload_under_an_older_key_and_an_unencrypted_one_both_decode(codec_server):
    (old,) = await codec_server["key_1"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        decoded = await http.post(f"/{codec_server['token']}/decode", content=as_json(old, PLAIN))
    assert decoded.status_code == 200, decoded.text
    assert from_json(decoded.text) == [PLAIN, PLAIN]


async def test_a_payload_under_a_key_it_does_not_hold_is_refused_naming_the_key(codec_server):
    (foreign,) = await codec_server["unknown"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        refused = await http.post(f"/{codec_server['token']}/decode", content=as_json(foreign))
    assert refused.status_code == 422
    assert "key-3" in refused.json()["detail"]


@pytest.mark.parametrize("data", [b"", b"abc", bytes(27)], ids=["empty", "3 bytes", "no room for a tag"])
async def test_a_payload_too_short_to_be_encrypted_is_refused_not_a_fault(codec_server, data):
    cut = Payload(metadata={"encoding": b"binary/encrypted", KEY_ID: b"key-2"}, data=data)
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        refused = await http.post(f"/{codec_server['token']}/decode", content=as_json(cut))
    assert refused.status_code == 422, refused.text
    assert "too short" in refused.json()["detail"]


async def test_the_bearer_scheme_in_any_case_and_a_proxy_s_basic_header_beside_the_path_token(codec_server):
    (sealed,) = await codec_server["key_1"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        lower = await http.post("/decode", content=as_json(sealed),
                                headers={"Authorization": f"bearer {codec_server['token']}"})
        behind_sso = await http.post(f"/{codec_server['token']}/decode", content=as_json(sealed),
                                     headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert lower.status_code == 200 and from_json(lower.text) == [PLAIN], lower.text
    assert behind_sso.status_code == 200 and from_json(behind_sso.text) == [PLAIN], behind_sso.text


@pytest.mark.parametrize("headers, prefix", [
    ({}, ""),
    ({"Authorization": "Bearer wrong-token"}, ""),
    ({}, "/wrong-token"),
], ids=["no token", "wrong bearer", "wrong path token"])
async def test_without_the_token_nothing_is_decoded(codec_server, headers, prefix):
    (sealed,) = await codec_server["key_1"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        refused = await http.post(f"{prefix}/decode", content=as_json(sealed), headers=headers)
    assert refused.status_code == 401
    assert "contoso" not in refused.text


async def test_only_the_ui_origin_may_call_it_from_a_browser(codec_server):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        allowed = await http.options("/anything/decode", headers={"Origin": UI_ORIGIN, **preflight})
        other = await http.options("/anything/decode", headers={"Origin": "http://evil.example", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == UI_ORIGIN
    assert "access-control-allow-origin" not in other.headers


async def test_bad_requests_get_a_sentence(codec_server):
    bearer = {"Authorization": f"Bearer {codec_server['token']}"}
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        not_json = await http.post("/decode", content=b"\xff not json", headers=bearer)
        elsewhere = await http.post("/convert", content=as_json(PLAIN), headers=bearer)
        read = await http.get("/decode", headers=bearer)
        health = await http.get("/healthz")
    assert not_json.status_code == 422 and "Payloads as protobuf JSON" in not_json.json()["detail"]
    assert elsewhere.status_code == 404 and "/encode" in elsewhere.json()["detail"]
    assert read.status_code == 405 and "…/decode" in read.json()["detail"]
    for answer in (not_json, elsewhere, read):
        assert answer.headers["content-type"] == "application/problem+json"
    assert health.json() == {"status": "ok"}


async def test_its_log_shows_neither_the_token_nor_a_payload(codec_server):
    (sealed,) = await codec_server["key_1"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        assert (await http.post(f"/{codec_server['token']}/decode", content=as_json(sealed))).status_code == 200
    logged = codec_server["log"].read_text()
    assert "codec request" in logged
    assert codec_server["token"] not in logged
    assert "contoso" not in logged and base64.b64encode(PLAIN.data).decode() not in logged


@pytest.mark.parametrize("environment, says", [
    ({"FASTTRACK_CODEC_TOKEN": ""}, "FASTTRACK_CODEC_TOKEN"),
    ({"FASTTRACK_CODEC_TOKEN": secrets.token_urlsafe(32), "FASTTRACK_ENCRYPTION_KEYS": "k1:not-base64"},
     "Key k1 is not valid base64"),
    ({"FASTTRACK_CODEC_TOKEN": secrets.token_urlsafe(32), "FASTTRACK_CODEC_ORIGINS": "127.0.0.1:8233"},
     "is not an origin"),
], ids=["no token", "bad key", "bad origin"])
def test_it_does_not_start_misconfigured(environment, says):
    done = subprocess.run([sys.executable, "-m", "codec_server.service"], cwd=REPOSITORY, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "FASTTRACK_CODEC_PORT": str(free_port()),
                                                      **environment})
    assert done.returncode != 0
    assert says in done.stderr, done.stderr


async def test_its_metrics_count_requests_by_route_never_by_path(codec_server):
    (sealed,) = await codec_server["key_1"].encode([PLAIN])
    async with httpx.AsyncClient(base_url=codec_server["url"]) as http:
        assert (await http.post(f"/{codec_server['token']}/decode", content=as_json(sealed))).status_code == 200
        assert (await http.post("/decode", content=as_json(sealed))).status_code == 401
        metrics = (await http.get("/metrics")).text
    assert 'fasttrack_http_requests_total{route="/{path:path}",service="codec-server",status="200"} 1.0' in metrics
    assert 'fasttrack_http_requests_total{route="/{path:path}",service="codec-server",status="401"} 1.0' in metrics
    assert codec_server["token"] not in metrics


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_generated_request_gets_a_5xx_or_an_answer_other_than_problem_json(codec_server, mode):
    """Schemathesis over the codec server's OpenAPI document, with the token, with valid
    data and with data made to be wrong: never a 5xx, every refusal problem+json."""
    schema = schemathesis.openapi.from_url(f"{codec_server['url']}/openapi.json")
    bearer = {"Authorization": f"Bearer {codec_server['token']}"}

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        if mode is GenerationMode.POSITIVE:  # aimed at the two operations, not only at unknown paths
            case.path_parameters["path"] = str(case.path_parameters["path"]).rstrip("/") + "/decode"
        response = case.call(base_url=codec_server["url"], headers=bearer, timeout=60)
        assert response.status_code < 500, (case.formatted_path, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == ["application/problem+json"], response.text

    (result,) = schema.get_all_operations()
    assert isinstance(result, Ok), result.err()
    given(result.ok().as_strategy(mode))(call)()
