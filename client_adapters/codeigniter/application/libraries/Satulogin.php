<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/**
 * Satulogin: Banten Satu Login for CodeIgniter 2 and 3 (and plain PHP 7.0+), no Composer.
 *
 * CodeIgniter loads it with $this->load->library('satulogin') and hands it the $config array of
 * application/config/satulogin.php. Authorization code flow with PKCE S256, state and nonce;
 * tokens stay in the PHP session (they overflow a 4 KB cookie); refresh; RP-initiated and
 * back-channel logout; role checks; bearer-token checks for JSON APIs.
 */
require_once __DIR__ . '/satulogin/Satulogin_tokens.php';
require_once __DIR__ . '/satulogin/Satulogin_session_index.php';

class Satulogin
{
    const SESSION_KEY = 'satulogin';
    const PENDING_KEY = 'satulogin_pending';
    const PENDING_MAX = 10;
    const PENDING_TTL = 600;

    private $cfg;
    private $provider;
    private $tokens;
    private $index;

    public function __construct($config = array())
    {
        $defaults = array('satulogin_scopes' => 'openid profile email', 'satulogin_leeway' => 30,
            'satulogin_http_timeout' => 10, 'satulogin_jwks_min_refetch' => 5,
            'satulogin_post_logout_redirect_uri' => '', 'satulogin_client_secret' => '',
            'satulogin_client_secret_file' => '',
            'satulogin_state_dir' => sys_get_temp_dir() . '/satulogin');
        $this->cfg = array_merge($defaults, (array) $config);
        $missing = array();
        foreach (array('satulogin_issuer', 'satulogin_client_id', 'satulogin_redirect_uri') as $key) {
            if (empty($this->cfg[$key])) {
                $missing[] = $key;
            }
        }
        if ($this->cfg['satulogin_client_secret'] === '' && $this->cfg['satulogin_client_secret_file'] !== '') {
            $secret = @file_get_contents($this->cfg['satulogin_client_secret_file']);
            if ($secret === false) {
                throw new Satulogin_error('config', 'satulogin_client_secret_file tidak terbaca / unreadable');
            }
            $this->cfg['satulogin_client_secret'] = trim($secret);
        }
        if ($this->cfg['satulogin_client_secret'] === '') {
            $missing[] = 'satulogin_client_secret';
        }
        if ($missing) {
            throw new Satulogin_error('config', 'Konfigurasi Satu Login belum lengkap / missing config: '
                . implode(', ', $missing));
        }
        $this->provider = new Satulogin_provider($this->cfg['satulogin_issuer'], $this->cfg['satulogin_state_dir'],
            $this->cfg['satulogin_http_timeout'], $this->cfg['satulogin_jwks_min_refetch']);
        $this->tokens = new Satulogin_tokens($this->provider, $this->cfg['satulogin_client_id'],
            $this->cfg['satulogin_leeway']);
        $this->index = new Satulogin_session_index($this->cfg['satulogin_state_dir']);
    }

    public function tokens()
    {
        return $this->tokens;
    }

    private function start_session()
    {
        if (session_status() !== PHP_SESSION_ACTIVE) {
            session_start();
        }
    }

    private static function random($bytes = 32)
    {
        return Satulogin_jwt::b64url_encode(random_bytes($bytes));
    }

    // ---- login -----------------------------------------------------------------------------

    /** The authorization URL; state, nonce and the PKCE verifier wait in the session. */
    public function login_url($return_to = '/')
    {
        $this->start_session();
        $state = self::random();
        $nonce = self::random();
        $verifier = self::random(48);
        $pending = isset($_SESSION[self::PENDING_KEY]) ? $_SESSION[self::PENDING_KEY] : array();
        $pending[$state] = array('nonce' => $nonce, 'verifier' => $verifier, 'at' => time(),
            'return_to' => self::local_path($return_to));
        // Several tabs may log in at once; keep only the newest few.
        $_SESSION[self::PENDING_KEY] = array_slice($pending, -self::PENDING_MAX, null, true);
        $challenge = Satulogin_jwt::b64url_encode(hash('sha256', $verifier, true));
        return $this->provider->endpoint('authorization_endpoint') . '?' . http_build_query(array(
            'response_type' => 'code', 'client_id' => $this->cfg['satulogin_client_id'],
            'redirect_uri' => $this->cfg['satulogin_redirect_uri'], 'scope' => $this->cfg['satulogin_scopes'],
            'state' => $state, 'nonce' => $nonce,
            'code_challenge' => $challenge, 'code_challenge_method' => 'S256'));
    }

    /** Only a path on this site may be a return target (no open redirect). */
    private static function local_path($path)
    {
        return (is_string($path) && preg_match('#^/(?![/\\\\])#', $path)) ? $path : '/';
    }

    /** Handle the redirect back from Keycloak; returns the local path to continue to. */
    public function handle_callback(array $query)
    {
        $this->start_session();
        if (isset($query['error'])) {
            throw new Satulogin_error('login_refused', 'Login dibatalkan atau ditolak Keycloak / login refused: '
                . (string) $query['error']);
        }
        $state = isset($query['state']) ? (string) $query['state'] : '';
        $pending = isset($_SESSION[self::PENDING_KEY]) ? $_SESSION[self::PENDING_KEY] : array();
        if ($state === '' || !isset($pending[$state])) {
            throw new Satulogin_error('mismatching_state',
                'Permintaan login tidak dikenal atau sudah dipakai / unknown or replayed login state');
        }
        $entry = $pending[$state];
        unset($pending[$state]); // single use: a replayed callback finds nothing
        $_SESSION[self::PENDING_KEY] = $pending;
        if (time() - $entry['at'] > self::PENDING_TTL) {
            throw new Satulogin_error('expired_state', 'Permintaan login kedaluwarsa / login request expired');
        }
        if (empty($query['code'])) {
            throw new Satulogin_error('missing_code', 'Kode otorisasi tidak ada / no authorization code');
        }
        $res = $this->token_request(array('grant_type' => 'authorization_code', 'code' => (string) $query['code'],
            'redirect_uri' => $this->cfg['satulogin_redirect_uri'], 'code_verifier' => $entry['verifier']));
        $id_claims = $this->tokens->id_token(isset($res['id_token']) ? $res['id_token'] : '', $entry['nonce']);
        $access_claims = $this->tokens->own_access_token(isset($res['access_token']) ? $res['access_token'] : '');
        // New session id after login: no session fixation.
        session_regenerate_id(true);
        $this->store($res, $id_claims, $access_claims);
        $sid = isset($id_claims['sid']) ? $id_claims['sid'] : null;
        $this->index->add($sid, $id_claims['sub'], session_id());
        return $entry['return_to'];
    }

    private function token_request(array $fields)
    {
        $res = $this->provider->post_form($this->provider->endpoint('token_endpoint'), $fields,
            $this->cfg['satulogin_client_id'], $this->cfg['satulogin_client_secret']);
        if ($res[0] !== 200 || !is_array($res[1])) {
            $err = is_array($res[1]) && isset($res[1]['error']) ? $res[1]['error'] : ('HTTP ' . $res[0]);
            throw new Satulogin_error('token_request_failed', 'Keycloak menolak permintaan token / token request refused: '
                . $err);
        }
        return $res[1];
    }

    private function store(array $res, array $id_claims, array $access_claims)
    {
        $_SESSION[self::SESSION_KEY] = array(
            'id_token' => isset($res['id_token']) ? $res['id_token'] : null,
            'access_token' => $res['access_token'],
            'refresh_token' => isset($res['refresh_token']) ? $res['refresh_token'] : null,
            'expires_at' => isset($access_claims['exp']) ? (int) $access_claims['exp'] : time() + 60,
            'claims' => $id_claims,
            'access' => $access_claims,
        );
    }

    // ---- the logged-in user ----------------------------------------------------------------

    /** True when a user is logged in; refreshes the tokens silently when the access token expired. */
    public function is_logged_in()
    {
        $this->start_session();
        if (empty($_SESSION[self::SESSION_KEY])) {
            return false;
        }
        if ($_SESSION[self::SESSION_KEY]['expires_at'] - 10 > time()) {
            return true;
        }
        try {
            $this->refresh();
            return true;
        } catch (Satulogin_error $e) {
            unset($_SESSION[self::SESSION_KEY]);
            return false;
        }
    }

    public function refresh()
    {
        $old = $_SESSION[self::SESSION_KEY];
        if (empty($old['refresh_token'])) {
            throw new Satulogin_error('no_refresh_token', 'Tidak ada refresh token / no refresh token');
        }
        $res = $this->token_request(array('grant_type' => 'refresh_token', 'refresh_token' => $old['refresh_token']));
        $id_claims = isset($res['id_token']) ? $this->tokens->id_token($res['id_token'], null) : $old['claims'];
        if ($id_claims['sub'] !== $old['claims']['sub']) {
            throw new Satulogin_error('subject_changed', 'Pengguna berubah saat refresh / subject changed');
        }
        $this->store($res + array('id_token' => $old['id_token'], 'refresh_token' => $old['refresh_token']),
            $id_claims, $this->tokens->own_access_token($res['access_token']));
    }

    /** NIP, name, unit, jabatan and roles of the user, or null. */
    public function user()
    {
        if (!$this->is_logged_in()) {
            return null;
        }
        $c = $_SESSION[self::SESSION_KEY]['claims'];
        $a = $_SESSION[self::SESSION_KEY]['access'];
        $get = function ($key) use ($c, $a) {
            return isset($c[$key]) ? $c[$key] : (isset($a[$key]) ? $a[$key] : null);
        };
        $client = $this->cfg['satulogin_client_id'];
        return array(
            'sub' => $c['sub'], 'username' => $get('preferred_username'),
            'nip' => $get('nip'), 'nama' => $get('name'), 'email' => $get('email'),
            'unit_kode' => $get('unit_kode'), 'unit_nama' => $get('unit_nama'),
            'jabatan_kode' => $get('jabatan_kode'), 'jabatan_nama' => $get('jabatan_nama'),
            'eselon' => $get('eselon'), 'golongan' => $get('golongan'),
            'realm_roles' => isset($a['realm_access']['roles']) ? $a['realm_access']['roles'] : array(),
            'roles' => isset($a['resource_access'][$client]['roles']) ? $a['resource_access'][$client]['roles'] : array(),
        );
    }

    /** When the current access token expires (Unix time), or null when nobody is logged in. */
    public function token_expires_at()
    {
        return $this->is_logged_in() ? $_SESSION[self::SESSION_KEY]['expires_at'] : null;
    }

    /** 'operator' is a role of this app (client role); 'realm:pegawai' is a realm role. */
    public function has_role($role)
    {
        $user = $this->user();
        if ($user === null) {
            return false;
        }
        if (strpos($role, 'realm:') === 0) {
            return in_array(substr($role, 6), $user['realm_roles'], true);
        }
        return in_array($role, $user['roles'], true);
    }

    public function has_all_roles(array $roles)
    {
        foreach ($roles as $role) {
            if (!$this->has_role($role)) {
                return false;
            }
        }
        return true;
    }

    public function has_any_role(array $roles)
    {
        foreach ($roles as $role) {
            if ($this->has_role($role)) {
                return true;
            }
        }
        return false;
    }

    // ---- logout ------------------------------------------------------------------------------

    /** End the local session and return Keycloak's end-session URL (RP-initiated logout). */
    public function logout_url()
    {
        $this->start_session();
        $id_token = isset($_SESSION[self::SESSION_KEY]['id_token']) ? $_SESSION[self::SESSION_KEY]['id_token'] : null;
        $_SESSION = array();
        session_regenerate_id(true);
        $params = array('client_id' => $this->cfg['satulogin_client_id']);
        if ($id_token) {
            $params['id_token_hint'] = $id_token;
        }
        if ($this->cfg['satulogin_post_logout_redirect_uri'] !== '') {
            $params['post_logout_redirect_uri'] = $this->cfg['satulogin_post_logout_redirect_uri'];
        }
        return $this->provider->endpoint('end_session_endpoint') . '?' . http_build_query($params);
    }

    /** Verify a back-channel logout token and end the PHP sessions of that sid (else sub). */
    public function handle_backchannel_logout($logout_token)
    {
        $claims = $this->tokens->logout_token((string) $logout_token);
        $this->remember_jti($claims);
        $ids = !empty($claims['sid']) ? $this->index->take('sid', $claims['sid'])
            : $this->index->take('sub', $claims['sub']);
        if (session_status() === PHP_SESSION_ACTIVE) {
            session_write_close();
        }
        ini_set('session.use_cookies', '0');
        foreach ($ids as $id) {
            // Open the other session by id and destroy it: works with any session save handler.
            session_id($id);
            session_start();
            $_SESSION = array();
            session_destroy();
        }
        return count($ids);
    }

    /** Refuse a logout token seen before (Back-Channel Logout 1.0, 2.6 step 7: jti). */
    private function remember_jti(array $claims)
    {
        if (empty($claims['jti']) || !is_string($claims['jti'])) {
            return;
        }
        $dir = $this->cfg['satulogin_state_dir'] . '/jti';
        if (!is_dir($dir)) {
            @mkdir($dir, 0700, true);
        }
        $file = $dir . '/' . hash('sha256', $claims['jti']);
        // 'x' mode creates atomically: two deliveries racing cannot both pass.
        $fh = @fopen($file, 'x');
        if ($fh === false) {
            throw new Satulogin_error('replayed_logout_token', 'Token logout sudah dipakai / logout token replayed');
        }
        fclose($fh);
        if (mt_rand(1, 50) === 1) {
            foreach (glob($dir . '/*') as $old) {
                if (filemtime($old) < time() - 3600) {
                    @unlink($old);
                }
            }
        }
    }

    // ---- APIs -----------------------------------------------------------------------------------

    /** Claims of a valid bearer token in the Authorization header; throws Satulogin_error otherwise. */
    public function bearer_claims($authorization_header)
    {
        if (!preg_match('/^Bearer\s+(\S+)$/i', (string) $authorization_header, $m)) {
            throw new Satulogin_error('missing_token', 'Header Authorization: Bearer tidak ada / missing bearer token');
        }
        return $this->tokens->bearer($m[1]);
    }

    // ---- one-line guards for controllers (they end the request like CI's redirect()/show_error()) ----

    /** Send the browser to the login page unless a user is logged in. */
    public function require_login($login_path = '/auth/login')
    {
        if (!$this->is_logged_in()) {
            $here = isset($_SERVER['REQUEST_URI']) ? $_SERVER['REQUEST_URI'] : '/';
            header('Location: ' . $login_path . '?next=' . rawurlencode($here), true, 302);
            exit;
        }
        return $this->user();
    }

    /** Logged in and holding at least one of $roles, else a 403 page a person understands. */
    public function require_any_role(array $roles, $login_path = '/auth/login')
    {
        $user = $this->require_login($login_path);
        if (!$this->has_any_role($roles)) {
            self::send_forbidden();
        }
        return $user;
    }

    /** Logged in and holding every one of $roles, else 403. */
    public function require_all_roles(array $roles, $login_path = '/auth/login')
    {
        $user = $this->require_login($login_path);
        if (!$this->has_all_roles($roles)) {
            self::send_forbidden();
        }
        return $user;
    }

    /** For JSON APIs: the claims of a valid bearer token, else 401 JSON (RFC 6750) and exit. */
    public function require_bearer()
    {
        $header = isset($_SERVER['HTTP_AUTHORIZATION']) ? $_SERVER['HTTP_AUTHORIZATION'] : '';
        try {
            return $this->bearer_claims($header);
        } catch (Satulogin_error $e) {
            http_response_code(401);
            header('Content-Type: application/json');
            header('WWW-Authenticate: Bearer error="invalid_token"');
            echo json_encode(array('error' => $e->error_code, 'message' => $e->getMessage()));
            exit;
        }
    }

    public static function send_forbidden()
    {
        http_response_code(403);
        header('Content-Type: text/html; charset=utf-8');
        echo self::forbidden_page();
        exit;
    }

    /** HTML for a refusal (403) that a person understands. */
    public static function forbidden_page($message = null)
    {
        $text = $message !== null ? $message : 'Akun Anda belum memiliki peran yang dibutuhkan untuk halaman ini. '
            . 'Hubungi admin SSO OPD Anda. / Your account lacks the role this page needs; ask your SSO admin.';
        return '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Akses ditolak</title></head>'
            . '<body><h1>Akses ditolak / Access denied</h1><p>' . htmlspecialchars($text, ENT_QUOTES, 'UTF-8')
            . '</p><p><a href="/">Kembali ke beranda / Home</a></p></body></html>';
    }
}
