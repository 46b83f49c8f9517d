#!/bin/sh
# berth: makes the template data directory at image build time (as the image's postgres user), with
# the steps the official postgres image's entrypoint takes on a first start: initdb with the
# configured user as bootstrap superuser, the "host all all all <password_encryption>" rule, the
# database. No password. Then the image is checked for what the start script hands over to.
# POSIX sh: dash on Debian, busybox ash on Alpine.
set -eu
root=$(dirname "$0")
data=$root/data

fail() {
  printf 'berth postgres template: %s\n' "$*" >&2
  exit 1
}

# A double-quoted SQL identifier.
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

for tool in initdb postgres docker-entrypoint.sh; do
  command -v "$tool" >/dev/null || fail "the base image has no $tool in PATH: use an image in the official postgres image's layout"
done
user=${TEMPLATE_USER:?the build arg TEMPLATE_USER is required}
db=${TEMPLATE_DB:?the build arg TEMPLATE_DB is required}
nl='
'
case "$user$db" in *"$nl"*) fail "the user and database names must be single lines" ;; esac

initdb -D "$data" --username="$user" --no-sync >/dev/null
# As the official entrypoint: password logins over TCP with the server's password_encryption.
printf '\nhost all all all %s\n' "$(postgres -C password_encryption -D "$data")" >>"$data/pg_hba.conf"
if [ "$db" != postgres ]; then
  printf 'CREATE DATABASE %s;\n' "$(ident "$db")" | postgres --single -D "$data" -c exit_on_error=on -c fsync=off postgres >/dev/null
fi
printf '%s\n' "$user" >"$root/user"
printf '%s\n' "$db" >"$root/database"
# What initdb read from the environment (locale, encoding, time zone): a container that sets it
# differently gets the image's own initdb instead.
env | grep -E '^(LANG|LANGUAGE|LC_[A-Z]+|TZ|PGTZ)=' | sort >"$root/initdb-env" || true
rm "$0"
# Readable by any uid (hardening.user may run Postgres as another): it holds no secret, and the
# start copies it into a PGDATA of the running user's own, mode 0700.
chmod -R a+rX "$root"
