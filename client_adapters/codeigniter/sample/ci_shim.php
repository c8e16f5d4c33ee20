<?php
/**
 * A tiny stand-in for the parts of CodeIgniter 2/3 the adapter touches (CI_Controller,
 * $this->load->library, $this->input, $this->output, log_message, get_instance), so the sample
 * runs with `php -S` and drives application/controllers/Auth.php and the library exactly as
 * CodeIgniter would. Not for production: use your real CodeIgniter.
 */
defined('BASEPATH') OR exit('No direct script access allowed');

class Sample_loader
{
    private $ci;

    public function __construct($ci)
    {
        $this->ci = $ci;
    }

    /** Like CI: include libraries/<Name>.php, pass the $config of config/<name>.php. */
    public function library($name, $params = null)
    {
        $prop = strtolower($name);
        if (isset($this->ci->$prop)) {
            return;
        }
        $class = ucfirst($prop);
        require_once APPPATH . 'libraries/' . $class . '.php';
        if ($params === null) {
            $config = array();
            include SATULOGIN_SAMPLE_CONFIG; // CI reads application/config/<name>.php here
            $params = $config;
        }
        $this->ci->$prop = new $class($params);
    }
}

class Sample_input
{
    public function get($key = null)
    {
        return $key === null ? $_GET : (isset($_GET[$key]) ? $_GET[$key] : null);
    }

    public function post($key = null)
    {
        return $key === null ? $_POST : (isset($_POST[$key]) ? $_POST[$key] : null);
    }
}

class Sample_output
{
    public $status = 200;
    public $headers = array();
    public $body = '';

    public function set_status_header($code)
    {
        $this->status = $code;
        return $this;
    }

    public function set_content_type($type)
    {
        $this->headers[] = 'Content-Type: ' . $type;
        return $this;
    }

    public function set_header($header)
    {
        $this->headers[] = $header;
        return $this;
    }

    public function set_output($body)
    {
        $this->body = $body;
        return $this;
    }

    public function send()
    {
        http_response_code($this->status);
        foreach ($this->headers as $header) {
            header($header);
        }
        echo $this->body;
    }
}

class CI_Controller
{
    private static $instance;
    public $load;
    public $input;
    public $output;

    public function __construct()
    {
        self::$instance = $this;
        $this->load = new Sample_loader($this);
        $this->input = new Sample_input();
        $this->output = new Sample_output();
    }

    public static function &get_instance()
    {
        return self::$instance;
    }
}

function &get_instance()
{
    return CI_Controller::get_instance();
}

function log_message($level, $message)
{
    error_log('[' . $level . '] ' . $message);
}
