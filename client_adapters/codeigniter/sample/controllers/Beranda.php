<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/** The sample app's own pages, written as a CodeIgniter controller would be. */
class Beranda extends CI_Controller
{
    public function __construct()
    {
        parent::__construct();
        $this->load->library('satulogin');
    }

    private function page($title, $body)
    {
        $this->output->set_content_type('text/html; charset=utf-8');
        $this->output->set_output('<!doctype html><html lang="id"><head><meta charset="utf-8"><title>'
            . $title . '</title></head><body>' . $body . '</body></html>');
    }

    private static function e($value)
    {
        return htmlspecialchars(is_array($value) ? implode(', ', $value) : (string) $value, ENT_QUOTES, 'UTF-8');
    }

    public function index()
    {
        $user = $this->satulogin->user();
        if ($user === null) {
            $this->page('Aplikasi Contoh', '<h1>Aplikasi Contoh PHP</h1><p>Belum masuk / not logged in.</p>'
                . '<p><a id="masuk" href="/auth/login">Masuk dengan Satu Login</a></p>');
            return;
        }
        $rows = '';
        foreach (array('nip' => 'NIP', 'nama' => 'Nama', 'unit_nama' => 'Unit', 'jabatan_nama' => 'Jabatan',
                     'golongan' => 'Golongan', 'roles' => 'Peran aplikasi', 'realm_roles' => 'Peran realm') as $k => $label) {
            $rows .= '<tr><th>' . $label . '</th><td id="' . $k . '">' . self::e($user[$k]) . '</td></tr>';
        }
        $this->page('Aplikasi Contoh', '<h1>Selamat datang, ' . self::e($user['nama']) . '</h1><table>' . $rows
            . '</table><p>Token akses berlaku sampai / access token valid until <span id="token_exp">'
            . (int) $this->satulogin->token_expires_at() . '</span></p>'
            . '<p><a href="/admin">Halaman admin</a> · <a id="keluar" href="/auth/logout">Keluar</a></p>');
    }

    public function admin()
    {
        $user = $this->satulogin->require_any_role(array('admin'));
        $this->page('Admin', '<h1>Halaman admin</h1><p id="admin-ok">Halo ' . self::e($user['nama']) . '</p>');
    }

    /** A JSON API protected by bearer tokens (app-to-app, service accounts). */
    public function api_pegawai()
    {
        $claims = $this->satulogin->require_bearer();
        $this->output->set_content_type('application/json');
        $this->output->set_output(json_encode(array('client' => isset($claims['azp']) ? $claims['azp'] : null,
            'roles' => isset($claims['resource_access']) ? $claims['resource_access'] : array())));
    }
}
