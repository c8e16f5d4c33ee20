<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/**
 * Satu Login routes for CodeIgniter 2 and 3: /auth/login, /auth/callback, /auth/logout and
 * /auth/backchannel_logout (Keycloak calls this one server-to-server; exclude it from CSRF).
 */
class Auth extends CI_Controller
{
    public function __construct()
    {
        parent::__construct();
        $this->load->library('satulogin');
    }

    public function login()
    {
        $next = $this->input->get('next');
        $this->go($this->satulogin->login_url($next ? $next : '/'));
    }

    public function callback()
    {
        try {
            $this->go($this->satulogin->handle_callback($_GET));
        } catch (Satulogin_error $e) {
            log_message('error', 'satulogin callback: ' . $e->error_code . ': ' . $e->getMessage());
            $this->output->set_status_header(400);
            $this->output->set_output('<!doctype html><html lang="id"><head><meta charset="utf-8">'
                . '<title>Login gagal</title></head><body><h1>Login gagal / Login failed</h1><p>'
                . htmlspecialchars($e->getMessage(), ENT_QUOTES, 'UTF-8')
                . '</p><p><a href="/auth/login">Coba lagi / Try again</a></p></body></html>');
        }
    }

    public function logout()
    {
        $this->go($this->satulogin->logout_url());
    }

    public function backchannel_logout()
    {
        $this->output->set_content_type('application/json');
        // Keycloak must not cache the answer (OpenID Connect Back-Channel Logout 2.8).
        $this->output->set_header('Cache-Control: no-store');
        if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
            $this->output->set_status_header(405);
            return;
        }
        try {
            $ended = $this->satulogin->handle_backchannel_logout($this->input->post('logout_token'));
            $this->output->set_output(json_encode(array('ended_sessions' => $ended)));
        } catch (Satulogin_error $e) {
            log_message('error', 'satulogin backchannel logout: ' . $e->error_code);
            $this->output->set_status_header(400);
            $this->output->set_output(json_encode(array('error' => $e->error_code)));
        }
    }

    /** A plain Location redirect: CodeIgniter's redirect() would prefix local paths with site_url. */
    private function go($url)
    {
        header('Location: ' . $url, true, 302);
        exit;
    }
}
