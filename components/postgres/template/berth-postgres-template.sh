#!/bin/sh
# berth: makes the Postgres template on the engine's shared template volume, in a helper container
# of its own (run at the lowest CPU weight, no network; gate/build-template.ts starts it), with the
# steps the official postgres image's entrypoint takes on a first start: initdb with the configured
# user as bootstrap superuser, the "host all all all <password_encryption>" rule, the database. No
# password. Published atomically: a start sees the whole template or none (the `current` link).
# $1: the template directory; TEMPLATE_USER and TEMPLATE_DB in the environment.
# POSIX sh: dash on Debian, busybox ash on Alpine.
set -eu
root=$1
fail() {
  printf 'berth postgres template: %s\n' "$*" >&2
  exit 1
}

# A double-quoted SQL identifier.
ident() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }

[ -s "$root/current/data/PG_VERSION" ] && exit 0
for tool in initdb postgres docker-entrypoint.sh; do
  command -v "$tool" >/dev/null || fail "the base image has no $tool in PATH: use an image in the official postgres image's layout"
done
user=${TEMPLATE_USER:?TEMPLATE_USER is required}
db=${TEMPLATE_DB:?TEMPLATE_DB is required}
nl='
'
case "$user$db" in *"$nl"*) fail "the user and database names must be single lines" ;; esac
mkdir -p "$root" || fail "cannot write to $(dirname "$root") as uid $(id -u): the volume takes the owner of the image's $(dirname "$root")"
# A directory of this container's own: helpers of two engines' clients never write the same files.
own=$root/make.$(hostname)
rm -rf "$own"
mkdir "$own"
initdb -D "$own/data" --username="$user" --no-sync >/dev/null
# As the official entrypoint: password logins over TCP with the server's password_encryption.
printf '\nhost all all all %s\n' "$(postgres -C password_encryption -D "$own/data")" >>"$own/data/pg_hba.conf"
if [ "$db" != postgres ]; then
  printf 'CREATE DATABASE %s;\n' "$(ident "$db")" | postgres --single -D "$own/data" -c exit_on_error=on -c fsync=off postgres >/dev/null
fi
printf '%s\n' "$user" >"$own/user"
printf '%s\n' "$db" >"$own/database"
# What initdb read from the environment (locale, encoding, time zone): a start that sets it
# differently gets the image's own initdb instead.
env | grep -E '^(LANG|LANGUAGE|LC_[A-Z]+|TZ|PGTZ)=' | sort >"$own/initdb-env" || true
# Readable by any uid (hardening.user may run Postgres as another): it holds no secret, and the
# start copies it into a PGDATA of the running user's own, mode 0700.
chmod -R a+rX "$own"
# A symbolic link is made at once or not at all: the first helper to finish publishes its copy.
ln -s "$(basename "$own")" "$root/current" 2>/dev/null || rm -rf "$own"
