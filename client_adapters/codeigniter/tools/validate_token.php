<?php
/**
 * Check a token the way the adapter does, from the command line (for app teams debugging a
 * login, and for the test suite's forged-token cases):
 *
 *   php tools/validate_token.php CONFIG_FILE id|access|bearer|logout [EXPECTED_NONCE] < token
 *
 * Prints one JSON line {"ok": true, "claims": {...}} or {"ok": false, "error": code, "message": ...};
 * exit status 0 when the token is accepted, 1 when refused.
 */
define('BASEPATH', __DIR__ . '/');
require_once dirname(__DIR__) . '/application/libraries/Satulogin.php';

if ($argc < 3) {
    fwrite(STDERR, "usage: php validate_token.php CONFIG_FILE id|access|bearer|logout [NONCE] < token\n");
    exit(2);
}
$config = array();
include $argv[1];
$kind = $argv[2];
$token = trim(stream_get_contents(STDIN));
try {
    $tokens = (new Satulogin($config))->tokens();
    if ($kind === 'id') {
        $claims = $tokens->id_token($token, isset($argv[3]) ? $argv[3] : null);
    } elseif ($kind === 'access') {
        $claims = $tokens->own_access_token($token);
    } elseif ($kind === 'bearer') {
        $claims = $tokens->bearer($token);
    } elseif ($kind === 'logout') {
        $claims = $tokens->logout_token($token);
    } else {
        fwrite(STDERR, "kind must be id, access, bearer or logout\n");
        exit(2);
    }
    echo json_encode(array('ok' => true, 'claims' => $claims)), "\n";
    exit(0);
} catch (Satulogin_error $e) {
    echo json_encode(array('ok' => false, 'error' => $e->error_code, 'message' => $e->getMessage())), "\n";
    exit(1);
}
