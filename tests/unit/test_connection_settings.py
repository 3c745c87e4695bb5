"""How the worker and the clients find Temporal (the SDK's environment configuration,
with the FASTTRACK_TEMPORAL_* aliases) and their payload keys."""

from __future__ import annotations

import base64
import os

import pytest
from temporalio.service import TLSConfig

from engagement_client.connection import connect_options, payload_codec
from engagement_client.settings import ClientSettings, ConfigurationError

KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No TEMPORAL_* or FASTTRACK_* setting from the shell, and no profile file of the user's."""
    for name in list(os.environ):
        if name.startswith(("TEMPORAL_", "FASTTRACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("FASTTRACK_DATA_DIR", str(tmp_path))


def options(**environment: str) -> dict:
    return connect_options(ClientSettings.from_environment(), environ={**os.environ, **environment})


def test_defaults_are_the_local_stack():
    found = options()
    assert found["target_host"] == "localhost:7233"
    assert found["namespace"] == "default"
    assert "tls" not in found


def test_the_sdk_variables_configure_address_namespace_and_api_key():
    found = options(TEMPORAL_ADDRESS="cluster.example:7233", TEMPORAL_NAMESPACE="fasttrack",
                    TEMPORAL_API_KEY="key-123")
    assert (found["target_host"], found["namespace"], found["api_key"]) == ("cluster.example:7233", "fasttrack",
                                                                            "key-123")
    assert found["tls"] is True  # an API key goes over TLS


def test_the_fasttrack_variables_are_aliases(monkeypatch):
    monkeypatch.setenv("FASTTRACK_TEMPORAL_ADDRESS", "old.example:7233")
    monkeypatch.setenv("FASTTRACK_TEMPORAL_NAMESPACE", "legacy")
    found = options()
    assert (found["target_host"], found["namespace"]) == ("old.example:7233", "legacy")
    monkeypatch.delenv("FASTTRACK_TEMPORAL_ADDRESS")
    monkeypatch.setenv("FASTTRACK_TEMPORAL_PORT", "7399")
    assert options()["target_host"] == "127.0.0.1:7399"


def test_an_alias_that_disagrees_with_the_sdk_variable_is_an_error(monkeypatch):
    monkeypatch.setenv("FASTTRACK_TEMPORAL_ADDRESS", "old.example:7233")
    with pytest.raises(ConfigurationError, match="FASTTRACK_TEMPORAL_ADDRESS and TEMPORAL_ADDRESS disagree"):
        options(TEMPORAL_ADDRESS="new.example:7233")
    assert options(TEMPORAL_ADDRESS="old.example:7233")["target_host"] == "old.example:7233"  # agreeing is fine


def test_an_api_key_in_disagreement_is_not_printed(monkeypatch):
    monkeypatch.setenv("FASTTRACK_TEMPORAL_API_KEY", "secret-one")
    with pytest.raises(ConfigurationError) as raised:
        options(TEMPORAL_API_KEY="secret-two")
    assert "secret-one" not in str(raised.value) and "secret-two" not in str(raised.value)


def test_mutual_tls_from_the_client_certificate_and_key_files(tmp_path):
    for name in ("ca.pem", "client.pem", "client.key"):
        (tmp_path / name).write_text(f"-----BEGIN {name}-----\n")
    found = options(TEMPORAL_ADDRESS="cluster.example:7233", TEMPORAL_TLS_SERVER_CA_CERT_PATH=str(tmp_path / "ca.pem"),
                    TEMPORAL_TLS_CLIENT_CERT_PATH=str(tmp_path / "client.pem"),
                    TEMPORAL_TLS_CLIENT_KEY_PATH=str(tmp_path / "client.key"),
                    TEMPORAL_TLS_SERVER_NAME="temporal.internal")
    tls = found["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == b"-----BEGIN client.pem-----\n"
    assert tls.client_private_key == b"-----BEGIN client.key-----\n"
    assert tls.server_root_ca_cert == b"-----BEGIN ca.pem-----\n"
    assert tls.domain == "temporal.internal"


def test_a_missing_certificate_file_is_named(tmp_path):
    with pytest.raises(ConfigurationError, match="does not exist: .*client.pem"):
        options(TEMPORAL_TLS_CLIENT_CERT_PATH=str(tmp_path / "client.pem"),
                TEMPORAL_TLS_CLIENT_KEY_PATH=str(tmp_path / "client.key"))


def test_tls_takes_true_or_false_only():
    with pytest.raises(ConfigurationError, match="TEMPORAL_TLS must be true or false"):
        options(TEMPORAL_TLS="maybe")
    assert options(TEMPORAL_TLS="false").get("tls") is False


def test_profiles_come_from_the_configuration_file(tmp_path):
    profiles = tmp_path / "temporal.toml"
    profiles.write_text('[profile.default]\naddress = "default.example:7233"\n\n'
                        '[profile.production]\naddress = "prod.example:7233"\nnamespace = "fasttrack-prod"\n'
                        'api_key = "prod-key"\n')
    assert options(TEMPORAL_CONFIG_FILE=str(profiles))["target_host"] == "default.example:7233"
    production = options(TEMPORAL_CONFIG_FILE=str(profiles), TEMPORAL_PROFILE="production")
    assert (production["target_host"], production["namespace"], production["api_key"]) == (
        "prod.example:7233", "fasttrack-prod", "prod-key")
    # The environment wins over the file.
    assert options(TEMPORAL_CONFIG_FILE=str(profiles), TEMPORAL_PROFILE="production",
                   TEMPORAL_NAMESPACE="other")["namespace"] == "other"
    with pytest.raises(ConfigurationError, match="missing"):
        options(TEMPORAL_CONFIG_FILE=str(profiles), TEMPORAL_PROFILE="missing")


def test_command_line_overrides_win():
    found = connect_options(ClientSettings.from_environment(), environ={**os.environ, "TEMPORAL_ADDRESS": "a.example:1"},
                            overrides={"target_host": "b.example:2"})
    assert found["target_host"] == "b.example:2"


def test_a_bad_address_is_named():
    with pytest.raises(ConfigurationError, match="'nowhere'"):
        options(TEMPORAL_ADDRESS="nowhere")


def test_keys_come_from_the_variable_then_the_file_then_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("FASTTRACK_ENCRYPTION_KEYS", f"from-variable:{KEY}")
    assert payload_codec(ClientSettings.from_environment()).current == "from-variable"
    monkeypatch.delenv("FASTTRACK_ENCRYPTION_KEYS")
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# rotated 2026-11\nfrom-file:{KEY}\nolder:{KEY}\n")
    monkeypatch.setenv("FASTTRACK_ENCRYPTION_KEYS_FILE", str(keys_file))
    assert payload_codec(ClientSettings.from_environment()).current == "from-file"
    monkeypatch.delenv("FASTTRACK_ENCRYPTION_KEYS_FILE")
    (tmp_path / "encryption-keys").write_text(f"from-data-folder:{KEY}\n")
    assert payload_codec(ClientSettings.from_environment()).current == "from-data-folder"


def test_no_key_is_a_clear_error(monkeypatch, tmp_path):
    with pytest.raises(ConfigurationError, match="No payload encryption key: set FASTTRACK_ENCRYPTION_KEYS"):
        payload_codec(ClientSettings.from_environment())
    monkeypatch.setenv("FASTTRACK_ENCRYPTION_KEYS_FILE", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigurationError, match="FASTTRACK_ENCRYPTION_KEYS_FILE: .*nowhere does not exist"):
        payload_codec(ClientSettings.from_environment())


def test_a_bad_key_names_its_id_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("FASTTRACK_ENCRYPTION_KEYS", f"good:{KEY},short:{base64.b64encode(b'x' * 16).decode()}")
    with pytest.raises(ConfigurationError) as raised:
        payload_codec(ClientSettings.from_environment())
    assert "Key short has 16 bytes; AES-256 needs 32" in str(raised.value)
    assert KEY not in str(raised.value)


def test_a_broken_profile_file_is_named_without_its_content(tmp_path):
    profiles = tmp_path / "temporal.toml"
    profiles.write_text('[profile.default]\napi_key = "SUPERSECRET" x\n')
    with pytest.raises(ConfigurationError) as raised:
        options(TEMPORAL_CONFIG_FILE=str(profiles))
    assert str(profiles) in str(raised.value) and "SUPERSECRET" not in str(raised.value)


def test_a_key_entry_written_the_wrong_way_round_is_refused_without_printing_the_key(monkeypatch):
    monkeypatch.setenv("FASTTRACK_ENCRYPTION_KEYS", f"good:{KEY},{KEY}:2026-11")
    with pytest.raises(ConfigurationError) as raised:
        payload_codec(ClientSettings.from_environment())
    assert "Key entry 2 is not <key id>:<base64 of 32 bytes>" in str(raised.value)
    assert KEY not in str(raised.value) and KEY[:12] not in str(raised.value)


def test_the_tls_alias_turns_tls_on_but_never_off_and_agrees_with_any_spelling(monkeypatch):
    monkeypatch.setenv("FASTTRACK_TEMPORAL_API_KEY", "key-123")
    monkeypatch.setenv("FASTTRACK_TEMPORAL_TLS", "false")
    assert options()["tls"] is True  # as before: an API key always meant TLS
    monkeypatch.setenv("FASTTRACK_TEMPORAL_TLS", "true")
    assert options(TEMPORAL_TLS="1")["tls"] is not False
