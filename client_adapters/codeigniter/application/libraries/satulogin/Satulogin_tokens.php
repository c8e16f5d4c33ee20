<?php
/**
 * Token checks for one client: ID tokens (login), access tokens (login and API bearer) and
 * logout tokens (back-channel logout). Framework-free; the CodeIgniter library is a shell on top.
 */
require_once __DIR__ . '/Satulogin_jwt.php';
require_once __DIR__ . '/Satulogin_provider.php';

class Satulogin_tokens
{
    const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

    private $provider;
    private $client_id;
    private $leeway;

    public function __construct(Satulogin_provider $provider, $client_id, $leeway = 30)
    {
        $this->provider = $provider;
        $this->client_id = $client_id;
        $this->leeway = (int) $leeway;
    }

    private function verified($token)
    {
        $provider = $this->provider;
        $parsed = Satulogin_jwt::verify_signature($token, function ($kid) use ($provider) {
            return $provider->jwk($kid);
        });
        return $parsed[1];
    }

    /** ID token from our own login: signature, iss, aud, azp, exp, nbf, iat and the nonce we sent. */
    public function id_token($token, $expected_nonce)
    {
        $claims = $this->verified($token);
        Satulogin_jwt::check_claims($claims, $this->provider->issuer(), $this->client_id, $this->leeway, true);
        if ($expected_nonce !== null) {
            if (!isset($claims['nonce']) || !is_string($claims['nonce'])
                || !hash_equals((string) $expected_nonce, $claims['nonce'])) {
                throw new Satulogin_error('invalid_nonce', 'Nonce token tidak cocok / nonce missing or wrong');
            }
        }
        if (empty($claims['sub'])) {
            throw new Satulogin_error('malformed_token', 'Token tanpa sub / token has no subject');
        }
        return $claims;
    }

    /** Access token we received ourselves from the token endpoint: issued to us (azp). */
    public function own_access_token($token)
    {
        $claims = $this->verified($token);
        Satulogin_jwt::check_claims($claims, $this->provider->issuer(), null, $this->leeway, false);
        if (!isset($claims['azp']) || $claims['azp'] !== $this->client_id) {
            throw new Satulogin_error('invalid_azp', 'Token akses bukan untuk aplikasi ini / access token not ours');
        }
        return $claims;
    }

    /** Bearer token sent to our API by another app or a service account: aud must name us. */
    public function bearer($token)
    {
        $claims = $this->verified($token);
        Satulogin_jwt::check_claims($claims, $this->provider->issuer(), $this->client_id, $this->leeway, false);
        if (isset($claims['typ']) && $claims['typ'] !== 'Bearer') {
            throw new Satulogin_error('invalid_token_type', 'Bukan token akses / not an access token');
        }
        return $claims;
    }

    /** OpenID Connect Back-Channel Logout 1.0, section 2.6. */
    public function logout_token($token)
    {
        $claims = $this->verified($token);
        Satulogin_jwt::check_claims(array_merge(array('exp' => time()), $claims), $this->provider->issuer(),
            $this->client_id, $this->leeway, false);
        if (!isset($claims['iat'])) {
            throw new Satulogin_error('malformed_token', 'Token logout tanpa iat / logout token lacks iat');
        }
        $events = isset($claims['events']) && is_array($claims['events']) ? $claims['events'] : array();
        if (!array_key_exists(self::BACKCHANNEL_EVENT, $events)) {
            throw new Satulogin_error('invalid_logout_token', 'Bukan token logout / not a logout token');
        }
        if (array_key_exists('nonce', $claims)) {
            throw new Satulogin_error('invalid_logout_token', 'Token logout tidak boleh memuat nonce / has a nonce');
        }
        if (empty($claims['sid']) && empty($claims['sub'])) {
            throw new Satulogin_error('invalid_logout_token', 'Token logout tanpa sid/sub / lacks sid and sub');
        }
        return $claims;
    }
}
