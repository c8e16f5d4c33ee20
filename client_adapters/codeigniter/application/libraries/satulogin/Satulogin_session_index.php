<?php
/**
 * Which PHP sessions belong to a Keycloak session (sid) or a user (sub), so a back-channel
 * logout, which arrives without the browser's cookie, can end them.
 *
 * One small file per sid / sub in the state dir, appended under an exclusive lock.
 */
class Satulogin_session_index
{
    private $dir;

    public function __construct($state_dir)
    {
        $this->dir = $state_dir . '/sessions';
        if (!is_dir($this->dir)) {
            @mkdir($this->dir, 0700, true);
        }
    }

    private function path($kind, $value)
    {
        return $this->dir . '/' . $kind . '-' . hash('sha256', (string) $value);
    }

    public function add($sid, $sub, $session_id)
    {
        foreach (array('sid' => $sid, 'sub' => $sub) as $kind => $value) {
            if ($value !== null && $value !== '') {
                file_put_contents($this->path($kind, $value), $session_id . "\n", FILE_APPEND | LOCK_EX);
            }
        }
    }

    /** Return the PHP session ids recorded for sid (or sub) and forget them. */
    public function take($kind, $value)
    {
        $file = $this->path($kind, $value);
        if (!is_file($file)) {
            return array();
        }
        $fh = fopen($file, 'r+');
        flock($fh, LOCK_EX);
        $ids = array_filter(array_map('trim', explode("\n", stream_get_contents($fh))));
        ftruncate($fh, 0);
        flock($fh, LOCK_UN);
        fclose($fh);
        @unlink($file);
        return array_values(array_unique($ids));
    }
}
