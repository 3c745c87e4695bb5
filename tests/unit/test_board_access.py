"""Who may read the board: tokens, sessions, and the identity a proxy names, believed only
from a proxy allowed; the forms' CSRF token kept across the reader's tabs."""

from __future__ import annotations

from fastapi_csrf_protect import CsrfProtect
from itsdangerous import URLSafeTimedSerializer
from starlette.datastructures import Headers

from board.access import PEER, by_token, reader_of, token_digest, trusted
from board.settings import BoardSettings
from intake.settings import Caller, Role

OPERATOR, READER = "o" * 40, "r" * 40
SETTINGS = BoardSettings(intake_tokens={OPERATOR: Caller(actor="Ana", role=Role.OPERATOR),
                                        READER: Caller(actor="Sam", role=Role.READ_ONLY)})


class Asking:
    """A request as the board reads it: its headers, its session, the address that connected."""

    def __init__(self, headers: dict[str, str] | None = None, session: dict | None = None,
                 peer: str | None = None) -> None:
        self.headers = Headers(headers or {})
        self.session = session or {}
        self.scope = {PEER: peer} if peer else {}


def test_a_token_opens_as_a_bearer_or_through_its_session_digest():
    assert by_token(SETTINGS, OPERATOR).name == "Ana"  # type: ignore[union-attr]
    assert by_token(SETTINGS, "x" * 40) is None
    bearer = reader_of(Asking({"authorization": f"Bearer {READER}"}), SETTINGS)  # type: ignore[arg-type]
    assert bearer is not None and (bearer.name, bearer.role, bearer.by_session) == ("Sam", "read_only", False)
    session = reader_of(Asking(session={"token": token_digest(OPERATOR)}), SETTINGS)  # type: ignore[arg-type]
    assert session is not None and session.by_session and session.name == "Ana"
    assert reader_of(Asking(session={"token": token_digest("x" * 40)}), SETTINGS) is None  # type: ignore[arg-type]
    assert reader_of(Asking(), SETTINGS) is None  # type: ignore[arg-type]


def test_the_identity_a_proxy_names_is_believed_from_an_allowed_proxy_only():
    proxied = BoardSettings(board_proxy_user_header="X-Auth-Request-Email", board_forwarded_allow_ips="10.0.0.0/8")
    named = {"x-auth-request-email": "ana@fasttrack.example"}
    through_proxy = reader_of(Asking(named, peer="10.1.2.3"), proxied)  # type: ignore[arg-type]
    assert through_proxy is not None and through_proxy.name == "ana@fasttrack.example"
    assert reader_of(Asking(named, peer="192.0.2.7"), proxied) is None  # type: ignore[arg-type]
    assert reader_of(Asking(named), proxied) is None  # type: ignore[arg-type]
    assert trusted("::1", "127.0.0.1, ::1") and trusted("203.0.113.9", "*") and not trusted("nonsense", "10.0.0.0/8")


def test_the_session_secret_changes_with_the_tokens_and_is_never_a_constant():
    other = BoardSettings(intake_tokens={"z" * 40: Caller(actor="Zoe", role=Role.READ_ONLY)})
    assert SETTINGS.session_secret() != other.session_secret()
    proxied = BoardSettings(board_proxy_user_header="X-Auth-Request-Email")
    assert proxied.session_secret() not in (SETTINGS.session_secret(), other.session_secret())
    assert len(proxied.session_secret()) == 64
    assert BoardSettings().configured() is not None and SETTINGS.configured() is None


def test_the_forms_token_is_read_back_from_the_cookie_the_csrf_library_signs():
    token, signed = CsrfProtect().generate_csrf_tokens(SETTINGS.session_secret())
    # board/app.py keeps a reader's token across their tabs by reading the signed cookie this way.
    assert URLSafeTimedSerializer(SETTINGS.session_secret(), salt="fastapi-csrf-token").loads(signed) == token
