<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/*
 * Banten Satu Login. `satulogin app register <client-id> --adapter codeigniter --out FILE`
 * writes this file with your values; the client secret stays out of git (this file is 0600,
 * or use satulogin_client_secret_file).
 */
$config['satulogin_issuer'] = 'https://sso.bantenprov.go.id/realms/banten';
$config['satulogin_client_id'] = 'nama-aplikasi';
$config['satulogin_client_secret'] = '';
// $config['satulogin_client_secret_file'] = '/etc/satulogin/nama-aplikasi.secret';
$config['satulogin_redirect_uri'] = 'https://aplikasi.bantenprov.go.id/auth/callback';
$config['satulogin_post_logout_redirect_uri'] = 'https://aplikasi.bantenprov.go.id/';
$config['satulogin_scopes'] = 'openid profile email';
// Writable by the web server: JWKS cache and the sid -> session index for back-channel logout.
$config['satulogin_state_dir'] = sys_get_temp_dir() . '/satulogin-nama-aplikasi';
// Allowed clock skew in seconds.
$config['satulogin_leeway'] = 30;
