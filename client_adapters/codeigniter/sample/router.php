<?php
/**
 * Router for `php -S 127.0.0.1:5300 -t sample sample/router.php`.
 *
 * Environment: SATULOGIN_CONFIG = the file `satulogin app register --adapter codeigniter` wrote;
 * SATULOGIN_SESSION_DIR (optional) = where PHP keeps this app's sessions.
 */
define('BASEPATH', __DIR__ . '/');
define('APPPATH', dirname(__DIR__) . '/application/');
define('SATULOGIN_SAMPLE_CONFIG', getenv('SATULOGIN_CONFIG') ?: APPPATH . 'config/satulogin.php');
if (getenv('SATULOGIN_SESSION_DIR')) {
    @mkdir(getenv('SATULOGIN_SESSION_DIR'), 0700, true);
    session_save_path(getenv('SATULOGIN_SESSION_DIR'));
}
session_set_cookie_params(0, '/', '', false, true);
require __DIR__ . '/ci_shim.php';

// CodeIgniter-style routing: /controller/method, dashes read as underscores.
$path = trim(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH), '/');
$routes = array('' => array('Beranda', 'index'), 'admin' => array('Beranda', 'admin'),
    'api/pegawai' => array('Beranda', 'api_pegawai'));
if (isset($routes[$path])) {
    list($class, $method) = $routes[$path];
    require_once __DIR__ . '/controllers/Beranda.php';
} elseif (preg_match('#^(?:auth|sso)/([a-z_-]+)$#', $path, $m)) {
    // /sso/... is how realm/banten/clients/contoh-php.yaml declares the demo's URIs.
    $class = 'Auth';
    $method = str_replace('-', '_', $m[1]);
    require_once APPPATH . 'controllers/Auth.php';
} else {
    http_response_code(404);
    echo 'Halaman tidak ditemukan / not found';
    return true;
}
try {
    $controller = new $class();
    if (!is_callable(array($controller, $method)) || $method[0] === '_') {
        http_response_code(404);
        echo 'Halaman tidak ditemukan / not found';
        return true;
    }
    $controller->$method();
    $controller->output->send();
} catch (Satulogin_error $e) {
    // Like CI's show_error(): a page for a person, the details in the log.
    error_log('satulogin: ' . $e->error_code . ': ' . $e->getMessage());
    http_response_code(500);
    echo '<h1>Satu Login bermasalah / Satu Login problem</h1><p>'
        . htmlspecialchars($e->getMessage(), ENT_QUOTES, 'UTF-8') . '</p>';
}
return true;
