<?php
defined('BASEPATH') OR exit('No direct script access allowed');
/**
 * Optional hook: require a Satu Login session on every controller except Auth.
 *
 * application/config/hooks.php:
 *   $hook['post_controller_constructor'] = array(
 *       'class' => 'Satulogin_hook', 'function' => 'require_login',
 *       'filename' => 'Satulogin_hook.php', 'filepath' => 'hooks');
 */
class Satulogin_hook
{
    /** Controllers reachable without login (the login routes themselves). */
    private $public_controllers = array('auth');

    public function require_login()
    {
        $CI =& get_instance();
        if (in_array(strtolower($CI->router->fetch_class()), $this->public_controllers, true)) {
            return;
        }
        $CI->load->library('satulogin');
        $CI->satulogin->require_login();
    }
}
