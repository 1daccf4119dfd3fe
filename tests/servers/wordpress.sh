#!/usr/bin/env bash
# A real WordPress on 127.0.0.1 for the publish tests (issue 12), with nothing left behind.
#
#   wordpress.sh install   Installs Debian's wordpress, its default theme, PHP (cli, mysql)
#                          and MariaDB when one of them is missing; quiet, idempotent. The
#                          packages' services are kept from starting.
#   wordpress.sh serve DIR Runs, in the foreground and with every file under DIR (a fresh
#                          empty folder the caller owns): a private MariaDB on a unix socket
#                          in DIR (no network), a WordPress site installed into it with an
#                          administrator and an application password, served by `php -S` on
#                          a free port of 127.0.0.1. When all is ready it prints one line:
#                              ready url=http://127.0.0.1:PORT user=NAME password=APP PASSWORD
#                          (the application password has spaces: it is the rest of the line).
#                          It stops php and mariadbd and exits 0 when stdin reaches EOF or on
#                          SIGTERM/SIGINT. Logs go to DIR/*.log, never to stdout.
#
# Nothing is written outside DIR, so several sites can run at once: Debian's wp-config.php
# would read /etc/wordpress/config-HOST.php, so the web root is DIR/www, a symlink to each of
# /usr/share/wordpress's files but wp-config.php, which is DIR's own; `php -S` runs
# DIR/router.php, and the php-cli setup, with ABSPATH set to DIR/www/ so that WordPress's
# wp-load.php reads that one. Themes and plugins are read from /usr/share/wordpress/wp-content;
# uploads go to DIR/www/uploads. No request leaves 127.0.0.1 (WP_HTTP_BLOCK_EXTERNAL).
set -euo pipefail

PACKAGES=(wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql)

install() {
  local missing=()
  local package
  for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  # A container has no init to start mariadb or apache2 with, and a test wants none running:
  # policy-rc.d answering 101 keeps every package's service from starting.
  local policy=/usr/sbin/policy-rc.d
  local had_policy=0
  if [ -e "$policy" ]; then
    had_policy=1
    cp -p "$policy" "$policy.repurpose-saved"
  fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  restore_policy() {
    if [ "$had_policy" -eq 1 ]; then
      mv -f "$policy.repurpose-saved" "$policy"
    else
      rm -f "$policy"
    fi
  }
  trap restore_policy EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  restore_policy
  trap - EXIT
}

# The application password's user on the site the tests get.
ADMIN=repurpose

# Prints $1 random bytes in hex (passwords and salts the tests never see).
random_word() {
  od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

serve() {
  local dir
  mkdir -p "${1:?serve needs a folder}"
  dir=$(realpath "$1")
  local missing=()
  local tool
  for tool in php mariadbd mariadb-install-db mariadb; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ -f /usr/share/wordpress/wp-settings.php ] || missing+=(/usr/share/wordpress)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "wordpress.sh: missing ${missing[*]}; run: bash tests/servers/wordpress.sh install" >&2
    exit 3
  fi

  # A step that fails says which, with the end of the logs, before the EXIT trap stops
  # what was started (set -e would otherwise end the script without a word).
  trap 'status=$?; echo "wordpress.sh: line $LINENO: \`$BASH_COMMAND\` failed (exit $status)" >&2; tail -n 15 "$dir"/*.log >&2 2>/dev/null || true' ERR
  # Globals, not locals: the EXIT trap runs after serve has returned.
  php_pid='' db_pid='' watch_pid=''
  stop() {
    trap - EXIT INT TERM
    local pid
    for pid in $watch_pid $php_pid $db_pid; do
      kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $watch_pid $php_pid $db_pid; do
      wait "$pid" 2>/dev/null || true
    done
  }
  trap stop EXIT
  trap 'stop; exit 0' INT TERM
  # The caller may be gone before "ready" is written: fail on the write, then stop.
  trap '' PIPE
  # The caller's end of stdin, kept for the wait at the end (a background job's stdin would
  # otherwise be /dev/null).
  exec 3<&0

  # MariaDB: its own data folder and socket in DIR, no TCP, running as root (we are root in
  # a container). The settings after --skip-networking trade durability for speed.
  local socket="$dir/mariadb.sock"
  # Its own temporary folder: instances sharing /tmp remove each other's temporary tables
  # (mariadb-install-db fails with "Unknown table 'mysql.tmp_user_sys'").
  mkdir -p "$dir/tmp"
  mariadb-install-db --no-defaults --user=root --datadir="$dir/db" --tmpdir="$dir/tmp" \
    --auth-root-authentication-method=socket --skip-test-db >"$dir/mariadb-install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$dir/db" --tmpdir="$dir/tmp" --socket="$socket" \
    --pid-file="$dir/mariadb.pid" --skip-networking --log-error="$dir/mariadb.log" \
    --innodb-buffer-pool-size=32M --innodb-log-file-size=8M --innodb-flush-log-at-trx-commit=0 \
    --innodb-doublewrite=0 --skip-log-bin </dev/null >/dev/null 2>&1 3<&- &
  db_pid=$!

  # The web root: a symlink to each of WordPress's files but wp-config.php, which is DIR's own
  # (Debian's reads /etc/wordpress/config-HOST.php). router.php defines ABSPATH as this
  # folder before WordPress's wp-load.php would set it to /usr/share/wordpress/.
  local www="$dir/www"
  mkdir -p "$www/uploads"
  local entry
  for entry in /usr/share/wordpress/* /usr/share/wordpress/.htaccess; do
    [ "$(basename "$entry")" = wp-config.php ] || ln -s "$entry" "$www/"
  done
  cat >"$dir/router.php" <<'PHP'
<?php
// The router of `php -S`: static files as they are, every other request through WordPress
// with ABSPATH set to the web root beside this file (so wp-load.php reads its wp-config.php).
define('ABSPATH', __DIR__ . '/www/');
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
$file = ABSPATH . ltrim($path, '/');
if (is_dir($file)) {
    $file = rtrim($file, '/') . '/index.php';
}
if (is_file($file) && substr($file, -4) !== '.php') {
    return false;
}
if (!is_file($file) || strpos($path, '..') !== false) {
    $file = ABSPATH . 'index.php';
}
$script = '/' . substr($file, strlen(ABSPATH));
$_SERVER['SCRIPT_FILENAME'] = $file;
$_SERVER['SCRIPT_NAME'] = $script;
$_SERVER['PHP_SELF'] = $script;
chdir(dirname($file));
require $file;
PHP

  # php -S on a free port: pick one at random, and another if php cannot listen there.
  local port='' try
  for try in $(seq 1 30); do
    port=$((20000 + RANDOM % 40000))
    if (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    php -S "127.0.0.1:$port" -t "$www" "$dir/router.php" </dev/null >>"$dir/php.log" 2>&1 3<&- &
    php_pid=$!
    local waited
    for waited in $(seq 1 100); do
      if ! kill -0 "$php_pid" 2>/dev/null; then
        break
      fi
      if (exec 4<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        break 2
      fi
      sleep 0.05
    done
    kill -TERM "$php_pid" 2>/dev/null || true
    wait "$php_pid" 2>/dev/null || true
    php_pid=''
  done
  if [ -z "$php_pid" ]; then
    echo "wordpress.sh: php -S found no free port (see $dir/php.log)" >&2
    exit 1
  fi
  local url="http://127.0.0.1:$port"

  local db_password
  db_password=$(random_word 24)
  local salts='' key
  for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
    LOGGED_IN_SALT NONCE_SALT; do
    salts+="define('$key', '$(random_word 48)');"$'\n'
  done
  cat >"$www/wp-config.php" <<PHP
<?php
// This site's configuration, written by tests/servers/wordpress.sh (not Debian's, which
// reads /etc/wordpress).
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '$db_password');
define('DB_HOST', 'localhost:$socket');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
\$table_prefix = 'wp_';
$salts
define('WP_HOME', '$url');
define('WP_SITEURL', '$url');
// Application passwords work over plain http on a "local" site only.
define('WP_ENVIRONMENT_TYPE', 'local');
// Themes and plugins from the package, read-only; uploads in DIR.
define('WP_CONTENT_DIR', '/usr/share/wordpress/wp-content');
define('WP_CONTENT_URL', '$url/wp-content');
define('UPLOADS', 'uploads');
// No cron requests to itself, no updates, nothing from the internet.
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP

  # The database and its user, once mariadbd answers on its socket.
  # Up to two minutes: on a loaded machine (CI's two cores, several sites starting at once)
  # a first start takes a while.
  local ready=0
  for waited in $(seq 1 2400); do
    if ! kill -0 "$db_pid" 2>/dev/null; then
      break
    fi
    if [ -S "$socket" ] && mariadb --no-defaults --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      ready=1
      break
    fi
    sleep 0.05
  done
  if [ "$ready" -ne 1 ]; then
    echo "wordpress.sh: mariadbd did not start (see $dir/mariadb.log)" >&2
    exit 1
  fi
  mariadb --no-defaults --socket="$socket" -uroot <<SQL
CREATE DATABASE wordpress CHARACTER SET utf8mb4;
CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';
SQL

  # The site, its administrator and an application password, installed by php-cli through
  # WordPress's own functions (what install.php and the profile page call).
  cat >"$dir/install.php" <<'PHP'
<?php
// Installs the site and prints the administrator's new application password.
[, $www, $host, $admin] = $argv;
define('WP_INSTALLING', true);
define('ABSPATH', $www . '/');
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
// wp_install mails the administrator: not here.
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {
}
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$installed = wp_install('repurpose test site', $admin, $admin . '@example.invalid', true, '', wp_generate_password(32, false), 'en_US');
$created = WP_Application_Passwords::create_new_application_password($installed['user_id'], ['name' => 'repurpose tests']);
if (is_wp_error($created)) {
    fwrite(STDERR, $created->get_error_message() . "\n");
    exit(1);
}
echo WP_Application_Passwords::chunk_password($created[0]), "\n";
PHP
  local app_password
  app_password=$(php "$dir/install.php" "$www" "127.0.0.1:$port" "$ADMIN" 2>>"$dir/install.log")

  # Everything answers: the REST index through php -S, WordPress and MariaDB.
  local status
  status=$(php -r '$c = @file_get_contents($argv[1]); echo $c === false ? "down" : "up";' "$url/?rest_route=/" 2>/dev/null || true)
  if [ "$status" != up ]; then
    echo "wordpress.sh: the site does not answer at $url (see $dir/php.log)" >&2
    exit 1
  fi
  echo "ready url=$url user=$ADMIN password=$app_password"

  # Until the caller closes stdin (or is gone) or a signal comes; or php or mariadbd dies.
  cat <&3 >/dev/null &
  watch_pid=$!
  exec 3<&-
  local code=0
  wait -n "$watch_pid" "$php_pid" "$db_pid" || true
  if kill -0 "$watch_pid" 2>/dev/null; then
    echo "wordpress.sh: php or mariadbd stopped by itself (see $dir/*.log)" >&2
    code=1
  fi
  stop
  exit "$code"
}

case "${1:-}" in
  install) install ;;
  serve) serve "${2:-}" ;;
  *) echo "usage: $0 install | serve DIR" >&2; exit 2 ;;
esac
