"""Validation of the tokens Keycloak issues: access tokens (bearer APIs and sessions), ID tokens
(login) and logout tokens (back-channel logout). JOSE work is joserfc's, Authlib's JOSE library;
this module decides *which* tokens are acceptable."""

from __future__ import annotations

import binascii
import copy
import json
import math
import time
from collections.abc import Collection
from typing import Any

from joserfc.errors import JoseError, UnsupportedAlgorithmError
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry

from .errors import InvalidToken
from .jwks import JWKSCache

#: Asymmetric algorithms only: ``none`` and HS* would let anyone holding the public key
#: (HS256 "key confusion") or nobody at all sign tokens.
ALLOWED_ALGORITHMS: tuple[str, ...] = ("RS256", "PS256", "ES256")
#: OpenID Connect Back-Channel Logout 1.0 §2.4: the event that marks a logout token.
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

Claims = dict[str, Any]

_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_URLSAFE_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The last character of unpadded base64url whose unused bits are zero, by how much padding
# it lacks (1 or 2): anything else has several encodings.
_CLEAN_ENDINGS = (b"", b"AEIMQUYcgkosw048", b"AQgw")


def urlsafe_b64decode(s: bytes) -> bytes:
    """Strict base64url, as joserfc.util.urlsafe_b64decode decodes it (no padding, nothing
    outside the alphabet, no stray bits in the last character), in fewer steps: joserfc's
    builds a translation table and runs binascii's strict mode on every call, a sixth of a
    first-seen token's cost. With the alphabet checked here first, binascii's lenient mode
    decodes exactly what its strict mode would."""
    if s.translate(None, _URLSAFE_ALPHABET):
        raise binascii.Error("not base64url")
    pad = -len(s) % 4
    if pad == 3 or (pad and s[-1] not in _CLEAN_ENDINGS[pad]):
        raise binascii.Error("not canonical base64url")
    return binascii.a2b_base64(s.translate(_FROM_URLSAFE) + b"=" * pad)


def _json_object(segment: bytes) -> Any:
    # RFC 7519 §7.2: a JOSE header and JWT claims are UTF-8 JSON; json.loads would also
    # guess UTF-16 and UTF-32 from bytes.
    return json.loads(urlsafe_b64decode(segment).decode("utf-8"))


_CLAIM_MESSAGES = {
    "iss": "penerbit token salah / wrong issuer (iss)",
    "aud": "token bukan untuk aplikasi ini / token is not meant for this application (aud)",
    "nbf": "token belum berlaku / token is not valid yet (nbf)",
    "iat": "token diterbitkan di masa depan / token issued in the future (iat)",
    "exp": "token tidak valid (exp) / invalid exp",
    "sub": "subjek token tidak valid / invalid sub",
    "jti": "jti tidak valid / invalid jti",
}


class TokenValidator:
    """Validates Keycloak tokens for one client of one issuer.

    ``leeway`` seconds of clock skew are tolerated on exp/nbf/iat (RFC 7519 §4.1.4).
    """

    def __init__(self, issuer: str, client_id: str, jwks: JWKSCache, *, leeway: int = 30,
                 algorithms: Collection[str] = ALLOWED_ALGORITHMS, cache_size: int = 4096) -> None:
        unsafe = [a for a in algorithms if a not in ALLOWED_ALGORITHMS]
        if unsafe:
            raise ValueError(f"algorithms not allowed: {unsafe}; only {ALLOWED_ALGORITHMS}")
        self.issuer = issuer
        self.client_id = client_id
        self.jwks = jwks
        self.leeway = leeway
        self.algorithms = tuple(algorithms)
        self.cache_size = cache_size
        # Built once: joserfc otherwise builds a registry for the allow-list on every decode.
        self._jws_registry = JWSRegistry(algorithms=list(self.algorithms))
        self._verified: dict[str, tuple[int, dict[str, Any], Claims]] = {}
        # Protected headers already read and checked, by their exact encoded text: a realm's
        # tokens share a handful (one per signing key).
        self._headers: dict[bytes, tuple[dict[str, Any], bool]] = {}  # header, flat
        # The last key joserfc's check_key accepted, and for which algorithm: keys change
        # only when the JWKS does, so the check is made once per key, not per token.
        self._checked: tuple[object, str] | None = None

    # --- signature ---------------------------------------------------------------------------
    def _header(self, segment: bytes) -> tuple[dict[str, Any], bool]:
        """The protected header, checked as joserfc's JWS validation checks it (the registry's
        header rules, ``crit``, the algorithm allow-list) and as we want it: a ``kid``, and
        never RFC 7797's unencoded payload (Keycloak does not issue it). With it: whether it
        is flat (no object or array values), so a copy of it needs no deep copy."""
        cached = self._headers.get(segment)
        if cached is not None:
            return cached
        self._jws_registry.validate_header_size(segment)
        header = _json_object(segment)
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise InvalidToken(f"algoritma token ditolak / token algorithm refused: {alg!r}",
                               code="alg_not_allowed")
        self._jws_registry.check_header(header)
        if "b64" in header or "crit" in header:
            raise InvalidToken("header token tidak didukung / unsupported token header (b64, crit)",
                               code="malformed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token tanpa kid / token has no kid", code="missing_kid")
        if len(self._headers) >= 64:
            self._headers.clear()  # many kids means someone is probing: keep the memory bounded
        flat = all(not isinstance(v, dict | list) for v in header.values())
        self._headers[segment] = (header, flat)
        return header, flat

    def _key(self, header: dict[str, Any]) -> RSAKey | ECKey:
        alg, kid = header["alg"], header["kid"]
        key = self.jwks.key_for(kid)
        # A key published for one algorithm must not verify another (RFC 7517 §4.4).
        key_alg = key.get("alg")
        if key_alg and key_alg != alg:
            raise InvalidToken(f"algoritma {alg} tidak cocok dengan kunci / does not match key {kid}",
                               code="alg_key_mismatch")
        return key

    def decode(self, token: str) -> tuple[dict[str, Any], Claims]:
        """Verify the signature and return (header, claims). No claim is checked here.

        A token whose signature verified is remembered (by its exact text, for the current key
        set), because an API client presents the same access token on every call for its whole
        lifetime; the claims (exp, nbf, aud...) are still checked on every call by the caller."""
        cached = self._verified.get(token)
        if cached is not None and cached[0] == self.jwks.generation:
            return dict(cached[1]), dict(cached[2])
        header, claims = self._verify(token)
        if self.cache_size <= 0:
            return header, claims
        if len(self._verified) >= self.cache_size:
            # Crude but lock-free and O(1) amortised; an LRU buys little for bearer traffic.
            self._verified.clear()
        self._verified[token] = (self.jwks.generation, header, claims)
        return dict(header), dict(claims)

    def _verify(self, token: str) -> tuple[dict[str, Any], Claims]:
        if not isinstance(token, str) or token.count(".") != 2:
            raise InvalidToken("token bukan JWS compact / token is not a compact JWS", code="malformed")
        # joserfc's compact JWS validation (jws.validate_compact), step by step through its own
        # parts, less the objects it builds around them: about half the cost of a first-seen
        # token besides the signature itself. The checks are the same, in the same order.
        try:
            value = token.encode("ascii")
            registry = self._jws_registry
            registry.validate_compact_value_size(value)
            header_segment, payload_segment, signature_segment = value.split(b".")
            registry.validate_signature_size(signature_segment)
            registry.validate_payload_size(payload_segment)
            header, flat = self._header(header_segment)
            key = self._key(header)
            alg = registry.get_alg(header["alg"])
            checked = (key, alg.name)
            if self._checked != checked:
                alg.check_key(key)
                self._checked = checked
            signature = urlsafe_b64decode(signature_segment)
            if not alg.verify(header_segment + b"." + payload_segment, signature, key):
                raise InvalidToken("tanda tangan token tidak valid / bad token signature",
                                   code="bad_signature")
            claims = _json_object(payload_segment)
        except InvalidToken:
            raise
        except UnsupportedAlgorithmError as exc:
            raise InvalidToken("algoritma token ditolak / token algorithm refused",
                               code="alg_not_allowed") from exc
        except (JoseError, ValueError, KeyError, TypeError, UnicodeError, RecursionError) as exc:
            # RecursionError: JSON nested past Python's limit (only a signed token gets this far).
            raise InvalidToken(f"token tidak bisa dibaca / token cannot be decoded: {str(exc)[:200]}",
                               code="malformed") from exc
        if not isinstance(claims, dict):
            raise InvalidToken("isi token bukan objek JSON / token claims are not a JSON object",
                               code="malformed")
        # A copy the caller may change: the cached header must stay as it was checked (a flat
        # one, as Keycloak's are, needs no deep copy).
        return (dict(header) if flat else copy.deepcopy(header)), claims

    # --- claims ------------------------------------------------------------------------------
    def _check_registered(self, claims: Claims, *, audience: str | None, essential: tuple[str, ...]) -> None:
        """RFC 7519 §4.1 registered claims. Written out rather than through joserfc's
        JWTClaimsRegistry: that one visits every claim of the token by reflection and cost a
        quarter of a cold validation; these five checks are all we need."""
        get = claims.get
        iss = get("iss")
        if iss is None or (audience is not None and get("aud") is None) or any(
            get(name) is None for name in essential
        ):
            missing = [name for name in ("iss", *essential) if get(name) is None]
            if audience is not None and get("aud") is None:
                missing.append("aud")
            raise InvalidToken(f"klaim wajib tidak ada / required claim missing: {', '.join(missing)}",
                               code="missing_claim")
        if iss != self.issuer:
            raise self._claim_error("iss")
        if audience is not None:
            aud = claims["aud"]
            if not (aud == audience or (isinstance(aud, list) and audience in aud)):
                raise self._claim_error("aud")
        now = time.time()
        exp, nbf, iat = get("exp"), get("nbf"), get("iat")
        for name, value in (("exp", exp), ("nbf", nbf), ("iat", iat)):
            if (value is not None or name in claims) and not _numeric_date(value):
                raise self._claim_error(name)
        if exp is not None and exp <= now - self.leeway:
            raise InvalidToken("token sudah kedaluwarsa / token has expired", code="expired")
        if nbf is not None and nbf > now + self.leeway:
            raise self._claim_error("nbf")
        if iat is not None and iat > now + self.leeway:
            raise self._claim_error("iat")

    @staticmethod
    def _claim_error(claim: str) -> InvalidToken:
        return InvalidToken(_CLAIM_MESSAGES.get(claim, f"klaim tidak valid / invalid claim: {claim}"),
                            code=f"invalid_{claim}")

    def validate_access_token(self, token: str, *, audience: str | None = None,
                              allowed_azp: Collection[str] | None = None) -> Claims:
        """A bearer token for an API: ``aud`` must name ``audience`` (default: our client id);
        ``typ`` must be Keycloak's ``Bearer`` so an ID or refresh token is never taken for one."""
        _, claims = self.decode(token)
        self._check_registered(claims, audience=audience or self.client_id, essential=("exp", "iat", "sub"))
        self._check_typ(claims, "Bearer")
        if allowed_azp is not None and claims.get("azp") not in allowed_azp:
            raise InvalidToken("klien pemanggil tidak diizinkan / calling client not allowed (azp)",
                               code="invalid_azp")
        return claims

    def validate_session_access_token(self, token: str) -> Claims:
        """An access token our own client just received from the token endpoint: issued to us
        (``azp``), audience is whatever Keycloak's mappers put there."""
        _, claims = self.decode(token)
        self._check_registered(claims, audience=None, essential=("exp", "iat"))
        self._check_typ(claims, "Bearer")
        if claims.get("azp") != self.client_id:
            raise InvalidToken("token bukan diterbitkan untuk aplikasi ini / "
                               "token not issued to this client (azp)",
                               code="invalid_azp")
        return claims

    def validate_id_token(self, token: str, *, nonce: str | None) -> Claims:
        """OpenID Connect Core §3.1.3.7: iss, aud, azp, exp, iat and the nonce we sent."""
        _, claims = self.decode(token)
        self._check_registered(claims, audience=self.client_id, essential=("exp", "iat", "sub"))
        self._check_typ(claims, "ID")
        aud = claims.get("aud")
        several = isinstance(aud, list) and len(aud) > 1
        if (several or "azp" in claims) and claims.get("azp") != self.client_id:
            raise InvalidToken("azp token ID salah / wrong azp in ID token", code="invalid_azp")
        if nonce is not None:
            if "nonce" not in claims:
                raise InvalidToken("token ID tanpa nonce / ID token has no nonce", code="missing_nonce")
            if claims["nonce"] != nonce:
                raise InvalidToken("nonce token ID tidak cocok / ID token nonce mismatch",
                                   code="invalid_nonce")
        return claims

    def validate_logout_token(self, token: str) -> Claims:
        """OpenID Connect Back-Channel Logout 1.0 §2.6."""
        _, claims = self.decode(token)
        self._check_registered(claims, audience=self.client_id, essential=("iat",))
        events = claims.get("events")
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
            raise InvalidToken("token logout tanpa event back-channel / logout token lacks the "
                               "back-channel logout event", code="invalid_events")
        if "nonce" in claims:
            # §2.4: a nonce is prohibited, so an ID token can never pass as a logout token.
            raise InvalidToken("token logout tidak boleh memuat nonce / logout token must not carry a nonce",
                               code="nonce_present")
        if not claims.get("sid") and not claims.get("sub"):
            raise InvalidToken("token logout tanpa sid maupun sub / logout token has neither sid nor sub",
                               code="missing_sid_sub")
        return claims

    @staticmethod
    def _check_typ(claims: Claims, expected: str) -> None:
        typ = claims.get("typ")
        if typ is not None and typ != expected:
            raise InvalidToken(f"jenis token salah / wrong token type: {typ!r}, expected {expected!r}",
                               code="wrong_token_type")



_FLOAT_RANGE = 2**1023  # any int closer to zero converts to a finite float


def _numeric_date(value: Any) -> bool:
    # NumericDate is a JSON number; a bool is an int in Python and NaN never compares true. An
    # integer too large for a float (10**400) is no date either.
    if type(value) is int and -_FLOAT_RANGE < value < _FLOAT_RANGE:
        return True  # what Keycloak issues, answered without the checks below
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
