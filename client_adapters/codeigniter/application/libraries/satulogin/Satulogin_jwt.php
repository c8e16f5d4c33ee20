<?php
/**
 * JWT (JWS compact) verification with openssl: RS256 only, keys from a JWKS.
 *
 * Plain PHP 7.0+, no Composer. The JWK -> PEM conversion is done by hand (DER encoding of the
 * RSA modulus and exponent) because there is no JOSE library to lean on.
 */
require_once __DIR__ . '/Satulogin_error.php';

class Satulogin_jwt
{
    /** Algorithms we accept; never taken from the token itself (alg=none, HS256 confusion). */
    const ALGORITHMS = array('RS256' => OPENSSL_ALGO_SHA256);

    /** Parsed public keys by JWK content: OpenSSL 3 takes milliseconds to decode a PEM key. */
    private static $public_keys = array();

    public static function b64url_decode($data)
    {
        if (!is_string($data) || preg_match('/[^A-Za-z0-9_-]/', $data)) {
            throw new Satulogin_error('malformed_token', 'Token rusak / malformed token (base64url)');
        }
        $padded = strtr($data, '-_', '+/') . str_repeat('=', (4 - strlen($data) % 4) % 4);
        $out = base64_decode($padded, true);
        if ($out === false) {
            throw new Satulogin_error('malformed_token', 'Token rusak / malformed token (base64url)');
        }
        return $out;
    }

    public static function b64url_encode($data)
    {
        return rtrim(strtr(base64_encode($data), '+/', '-_'), '=');
    }

    /** Split and decode without verifying: array(header, payload, signing_input, signature). */
    public static function parse($token)
    {
        if (!is_string($token) || substr_count($token, '.') !== 2) {
            throw new Satulogin_error('malformed_token', 'Token bukan JWS / not a compact JWS');
        }
        $parts = explode('.', $token);
        $header = json_decode(self::b64url_decode($parts[0]), true);
        $payload = json_decode(self::b64url_decode($parts[1]), true);
        if (!is_array($header) || !is_array($payload)) {
            throw new Satulogin_error('malformed_token', 'Token rusak / malformed token (JSON)');
        }
        return array($header, $payload, $parts[0] . '.' . $parts[1], self::b64url_decode($parts[2]));
    }

    /**
     * Verify the signature with the JWKS key named by kid. $jwks_lookup(kid) returns a JWK array
     * or null; it is the caller's job to refetch the JWKS on an unknown kid (key rotation).
     */
    public static function verify_signature($token, $jwks_lookup)
    {
        $parsed = self::parse($token);
        $header = $parsed[0];
        $alg = isset($header['alg']) ? $header['alg'] : '';
        if (!is_string($alg) || !array_key_exists($alg, self::ALGORITHMS)) {
            throw new Satulogin_error('unsupported_algorithm',
                'Algoritma token ditolak / token algorithm refused: ' . (is_string($alg) ? $alg : '?'));
        }
        if (!isset($header['kid']) || !is_string($header['kid'])) {
            throw new Satulogin_error('unknown_key', 'Token tanpa kid / token has no key id');
        }
        $jwk = call_user_func($jwks_lookup, $header['kid']);
        if (!is_array($jwk)) {
            throw new Satulogin_error('unknown_key', 'Kunci token tidak dikenal / unknown signing key');
        }
        if ((isset($jwk['kty']) ? $jwk['kty'] : '') !== 'RSA'
            || (isset($jwk['use']) && $jwk['use'] !== 'sig')
            || (isset($jwk['alg']) && $jwk['alg'] !== $alg)) {
            throw new Satulogin_error('unknown_key', 'Kunci tidak cocok untuk ' . $alg . ' / key unfit for ' . $alg);
        }
        $algorithms = self::ALGORITHMS;
        $ok = openssl_verify($parsed[2], $parsed[3], self::public_key($jwk), $algorithms[$alg]);
        if ($ok !== 1) {
            throw new Satulogin_error('bad_signature', 'Tanda tangan token tidak sah / invalid token signature');
        }
        return $parsed;
    }

    /** Drop parsed keys (each PHP request starts with none; the benchmark measures that case). */
    public static function forget_keys()
    {
        self::$public_keys = array();
    }

    private static function public_key(array $jwk)
    {
        $id = hash('sha256', (isset($jwk['n']) ? $jwk['n'] : '') . '.' . (isset($jwk['e']) ? $jwk['e'] : ''));
        if (!isset(self::$public_keys[$id])) {
            $key = openssl_pkey_get_public(self::jwk_to_pem($jwk));
            if ($key === false) {
                throw new Satulogin_error('unknown_key', 'Kunci JWKS tidak terbaca / unreadable JWKS key');
            }
            if (count(self::$public_keys) > 32) {
                self::$public_keys = array();
            }
            self::$public_keys[$id] = $key;
        }
        return self::$public_keys[$id];
    }

    /** DER length octets. */
    private static function der_length($len)
    {
        if ($len < 0x80) {
            return chr($len);
        }
        $bytes = '';
        while ($len > 0) {
            $bytes = chr($len & 0xff) . $bytes;
            $len >>= 8;
        }
        return chr(0x80 | strlen($bytes)) . $bytes;
    }

    private static function der($tag, $content)
    {
        return chr($tag) . self::der_length(strlen($content)) . $content;
    }

    private static function der_uint($bytes)
    {
        $bytes = ltrim($bytes, "\x00");
        if ($bytes === '' || ord($bytes[0]) > 0x7f) {
            $bytes = "\x00" . $bytes; // keep INTEGER positive
        }
        return self::der(0x02, $bytes);
    }

    /** RSA JWK (n, e) -> PEM SubjectPublicKeyInfo (RFC 8017 RSAPublicKey in RFC 5280 SPKI). */
    public static function jwk_to_pem(array $jwk)
    {
        if (!isset($jwk['n'], $jwk['e'])) {
            throw new Satulogin_error('unknown_key', 'JWK RSA tanpa n/e / RSA JWK lacks n or e');
        }
        $rsa = self::der(0x30, self::der_uint(self::b64url_decode($jwk['n']))
            . self::der_uint(self::b64url_decode($jwk['e'])));
        // AlgorithmIdentifier: rsaEncryption OID 1.2.840.113549.1.1.1 with NULL parameters.
        $alg_id = self::der(0x30, self::der(0x06, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01") . "\x05\x00");
        $spki = self::der(0x30, $alg_id . self::der(0x03, "\x00" . $rsa));
        return "-----BEGIN PUBLIC KEY-----\n" . chunk_split(base64_encode($spki), 64, "\n")
            . "-----END PUBLIC KEY-----\n";
    }

    /**
     * Check the registered claims shared by ID, access and logout tokens.
     * $audience: the client id that must be in aud (null: do not check).
     * $check_azp: ID tokens for us must name us as azp when present (OIDC Core 3.1.3.7); a bearer
     * token presented to an API carries the caller's azp, so APIs pass false.
     */
    public static function check_claims(array $claims, $issuer, $audience, $leeway, $check_azp, $now = null)
    {
        $now = $now === null ? time() : $now;
        if (!isset($claims['iss']) || $claims['iss'] !== $issuer) {
            throw new Satulogin_error('invalid_issuer', 'Penerbit token salah / wrong token issuer');
        }
        if ($audience !== null) {
            $aud = isset($claims['aud']) ? (array) $claims['aud'] : array();
            if (!in_array($audience, $aud, true)) {
                throw new Satulogin_error('invalid_audience', 'Token bukan untuk aplikasi ini / wrong audience');
            }
            if ($check_azp && (isset($claims['azp']) || count($aud) > 1)
                && (!isset($claims['azp']) || $claims['azp'] !== $audience)) {
                throw new Satulogin_error('invalid_azp', 'azp token salah / wrong authorized party');
            }
        }
        if (!isset($claims['exp']) || !is_numeric($claims['exp']) || $claims['exp'] + $leeway < $now) {
            throw new Satulogin_error('token_expired', 'Token kedaluwarsa / token expired');
        }
        if (isset($claims['nbf']) && (!is_numeric($claims['nbf']) || $claims['nbf'] - $leeway > $now)) {
            throw new Satulogin_error('token_not_yet_valid', 'Token belum berlaku / token not yet valid');
        }
        if (isset($claims['iat']) && (!is_numeric($claims['iat']) || $claims['iat'] - $leeway > $now)) {
            throw new Satulogin_error('token_not_yet_valid', 'Token dari masa depan / token issued in the future');
        }
    }
}
