<?php
/**
 * Satulogin_error: a refusal with a machine-readable code (like Authlib's error names) and a
 * sentence for a person (Bahasa Indonesia / English). Never shows a stack trace to users.
 */
class Satulogin_error extends Exception
{
    /** @var string */
    public $error_code;

    public function __construct($error_code, $message)
    {
        parent::__construct($message);
        $this->error_code = $error_code;
    }
}
