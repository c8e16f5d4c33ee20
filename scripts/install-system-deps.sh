#!/usr/bin/env bash
# Debian packages the tests use as real servers: MariaDB, PostgreSQL, OpenLDAP (slapd), Apache with
# mod_auth_openidc, PHP, Chromium. Skips the install when everything is already there.
set -euo pipefail
packages=(chromium mariadb-server slapd ldap-utils apache2 libapache2-mod-auth-openidc php-cli php-curl postgresql)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${missing[*]}"
# slapd asks for an admin password at install time; the tests run their own slapd instead.
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
