<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/*
 * Demo configuration matching realm/banten/clients/contoh-php.yaml (port 5300, /sso/... routes).
 * The secret comes from the environment like every demo secret:
 *   SATULOGIN_CONFIG=client_adapters/codeigniter/sample/config.demo.php \
 *   SATULOGIN_CLIENT_SECRET_CONTOH_PHP=... php -S 127.0.0.1:5300 -t sample sample/router.php
 */
$base = getenv('SATULOGIN_DEMO_PHP_URL') ?: 'http://127.0.0.1:5300';
$config['satulogin_issuer'] = (getenv('SATULOGIN_ISSUER') ?: 'http://127.0.0.1:8080/realms/banten');
$config['satulogin_client_id'] = 'contoh-php';
$config['satulogin_client_secret'] = (string) getenv('SATULOGIN_CLIENT_SECRET_CONTOH_PHP');
$config['satulogin_client_secret_file'] = (string) getenv('SATULOGIN_CLIENT_SECRET_CONTOH_PHP_FILE');
$config['satulogin_redirect_uri'] = $base . '/sso/callback';
$config['satulogin_post_logout_redirect_uri'] = $base . '/';
$config['satulogin_scopes'] = 'openid profile email';
$config['satulogin_state_dir'] = sys_get_temp_dir() . '/satulogin-contoh-php';
