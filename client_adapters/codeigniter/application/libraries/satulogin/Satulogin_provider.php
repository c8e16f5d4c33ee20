<?php
/**
 * The OpenID provider (Keycloak realm) as seen from a PHP app: discovery document and JWKS,
 * cached in files so no request pays for a network round trip, and HTTP calls with curl.
 */
require_once __DIR__ . '/Satulogin_error.php';

class Satulogin_provider
{
    /** Discovery is re-read after an hour; keys only when an unknown kid shows up. */
    const METADATA_TTL = 3600;
    const JWKS_MAX_AGE = 86400;

    private $issuer;
    private $state_dir;
    private $timeout;
    /** Minimum seconds between JWKS refetches, so forged kids cannot hammer Keycloak. */
    private $min_refetch;
    private $metadata = null;
    private $jwks = null;

    public function __construct($issuer, $state_dir, $timeout = 10, $min_refetch = 5)
    {
        $this->issuer = rtrim($issuer, '/');
        $this->state_dir = $state_dir;
        $this->timeout = (int) $timeout;
        $this->min_refetch = (int) $min_refetch;
        if (!is_dir($state_dir) && !@mkdir($state_dir, 0700, true) && !is_dir($state_dir)) {
            throw new Satulogin_error('config', 'Folder satulogin_state_dir tidak bisa dibuat / cannot create: '
                . $state_dir);
        }
    }

    public function issuer()
    {
        return $this->issuer;
    }

    public function metadata()
    {
        if ($this->metadata === null) {
            $file = $this->state_dir . '/oidc-metadata.json';
            $cached = $this->read_cache($file, self::METADATA_TTL);
            if ($cached === null || (isset($cached['issuer']) ? $cached['issuer'] : '') !== $this->issuer) {
                $cached = $this->get_json($this->issuer . '/.well-known/openid-configuration');
                if ((isset($cached['issuer']) ? $cached['issuer'] : '') !== $this->issuer) {
                    throw new Satulogin_error('provider', 'Issuer discovery tidak cocok / discovery issuer mismatch');
                }
                $this->write_cache($file, $cached);
            }
            $this->metadata = $cached;
        }
        return $this->metadata;
    }

    public function endpoint($name)
    {
        $meta = $this->metadata();
        if (empty($meta[$name])) {
            throw new Satulogin_error('provider', 'Keycloak tidak menyediakan / provider lacks ' . $name);
        }
        return $meta[$name];
    }

    /** The JWK for kid; refetches the JWKS once when kid is unknown (Keycloak rotated its keys). */
    public function jwk($kid)
    {
        $file = $this->state_dir . '/jwks.json';
        if ($this->jwks === null) {
            $this->jwks = $this->read_cache($file, self::JWKS_MAX_AGE);
        }
        $found = $this->find_key($kid);
        if ($found !== null) {
            return $found;
        }
        $fetched_at = is_file($file) ? filemtime($file) : 0;
        if ($this->jwks !== null && time() - $fetched_at < $this->min_refetch) {
            return null;
        }
        $this->jwks = $this->get_json($this->endpoint('jwks_uri'));
        $this->write_cache($file, $this->jwks);
        return $this->find_key($kid);
    }

    private function find_key($kid)
    {
        if (!is_array($this->jwks) || !isset($this->jwks['keys']) || !is_array($this->jwks['keys'])) {
            return null;
        }
        foreach ($this->jwks['keys'] as $key) {
            if (is_array($key) && isset($key['kid']) && $key['kid'] === $kid) {
                return $key;
            }
        }
        return null;
    }

    private function read_cache($file, $max_age)
    {
        if (!is_file($file) || time() - filemtime($file) > $max_age) {
            return null;
        }
        $data = json_decode((string) @file_get_contents($file), true);
        return is_array($data) ? $data : null;
    }

    private function write_cache($file, array $data)
    {
        // Write then rename: concurrent requests never read half a file.
        $tmp = $file . '.' . bin2hex(random_bytes(6));
        file_put_contents($tmp, json_encode($data));
        rename($tmp, $file);
    }

    public function get_json($url)
    {
        $res = $this->http('GET', $url, null, null);
        if ($res[0] !== 200 || !is_array($res[1])) {
            throw new Satulogin_error('provider', 'Keycloak tidak menjawab dengan benar / bad answer from '
                . $url . ' (HTTP ' . $res[0] . ')');
        }
        return $res[1];
    }

    /** POST a form; returns array(status, decoded JSON or null). */
    public function post_form($url, array $fields, $basic_user = null, $basic_password = null)
    {
        $auth = $basic_user === null ? null : array($basic_user, $basic_password);
        return $this->http('POST', $url, http_build_query($fields), $auth);
    }

    private function http($method, $url, $body, $auth)
    {
        $ch = curl_init($url);
        $headers = array('Accept: application/json');
        if ($auth !== null) {
            // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
            $headers[] = 'Authorization: Basic ' . base64_encode(urlencode($auth[0]) . ':' . urlencode($auth[1]));
        }
        curl_setopt_array($ch, array(
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => $this->timeout,
            CURLOPT_CONNECTTIMEOUT => $this->timeout,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_FOLLOWLOCATION => false,
        ));
        if ($method === 'POST') {
            curl_setopt($ch, CURLOPT_POST, true);
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $raw = curl_exec($ch);
        if ($raw === false) {
            $err = curl_error($ch);
            curl_close($ch);
            throw new Satulogin_error('provider', 'Keycloak tidak bisa dihubungi / cannot reach Keycloak: ' . $err);
        }
        $status = (int) curl_getinfo($ch, CURLINFO_HTTP_CODE);
        curl_close($ch);
        return array($status, json_decode($raw, true));
    }
}
