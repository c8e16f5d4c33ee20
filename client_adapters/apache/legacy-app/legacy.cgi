#!/usr/bin/php
<?php
/*
 * "Aplikasi lama": a legacy page that cannot be changed to speak OpenID Connect. Apache with
 * mod_auth_openidc logs the user in and hands over who they are; the app only reads it.
 *
 * CGI/PHP on the same Apache: environment variables OIDC_CLAIM_<claim>.
 * A proxied app (ProxyPass to another server): request headers OIDC_CLAIM_<claim>.
 */
function klaim($name)
{
    $env = getenv('OIDC_CLAIM_' . $name);
    if ($env !== false) {
        return $env;
    }
    $header = 'HTTP_OIDC_CLAIM_' . strtoupper($name);
    return isset($_SERVER[$header]) ? $_SERVER[$header] : '';
}

$path = getenv('REQUEST_URI') ?: '/';
$e = function ($value) {
    return htmlspecialchars($value, ENT_QUOTES, 'UTF-8');
};
echo "Content-Type: text/html; charset=utf-8\r\n\r\n";
echo '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Aplikasi Lama</title></head><body>';
echo '<h1>Aplikasi Lama (di belakang Apache)</h1>';
if (strpos($path, '/admin') === 0) {
    echo '<p id="admin-ok">Halaman admin aplikasi lama.</p>';
}
echo '<table>';
foreach (array('nip' => 'NIP', 'name' => 'Nama', 'unit_nama' => 'Unit', 'jabatan_nama' => 'Jabatan',
             'golongan' => 'Golongan', 'roles' => 'Peran') as $claim => $label) {
    echo '<tr><th>' . $label . '</th><td id="' . $claim . '">' . $e(klaim($claim)) . '</td></tr>';
}
echo '</table><p>REMOTE_USER: <span id="remote-user">' . $e((string) getenv('REMOTE_USER')) . '</span></p>';
echo '</body></html>';
