#!/bin/sh
# berth: starts Postgres from the data directory initialised when this image was built. When the
# template fits this start, it is copied into the empty PGDATA (a tmpfs in berth) and the password
# set in single-user mode, before any server listens; then the image's own entrypoint finds
# PG_VERSION and starts the server at once: no initdb, no temporary server. Anything the template
# does not fit is left to the image's entrypoint, which initialises as it always does.
# POSIX sh: dash on Debian, busybox ash on Alpine.
set -eu
root=$(dirname "$0")
entrypoint=docker-entrypoint.sh
nl='
'

say() { printf 'berth-postgres-start: %s\n' "$*" >&2; }

# Why the template does not fit this start; nothing when it does.
unfit() {
  if [ "$user" != "$(cat "$root/user")" ] || [ "$db" != "$(cat "$root/database")" ]; then
    echo "the template was made for user $(cat "$root/user") and database $(cat "$root/database"), not $user and $db"
  elif [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "POSTGRES_PASSWORD is not set"
  else
    case "$POSTGRES_PASSWORD" in *"$nl"*)
      echo "POSTGRES_PASSWORD has more than one line"
      return ;;
    esac
    for var in POSTGRES_INITDB_ARGS POSTGRES_INITDB_WALDIR POSTGRES_HOST_AUTH_METHOD; do
      eval "value=\${$var:-}"
      if [ -n "$value" ]; then
        echo "$var is set"
        return
      fi
    done
    if [ -n "$(ls -A /docker-entrypoint-initdb.d 2>/dev/null)" ]; then
      echo "/docker-entrypoint-initdb.d has scripts to run"
    elif [ "$(env | grep -E '^(LANG|LANGUAGE|LC_[A-Z]+|TZ|PGTZ)=' | sort)" != "$(cat "$root/initdb-env")" ]; then
      echo "the locale or time zone differs from the image's"
    elif [ "$(id -u)" = 0 ]; then
      echo "it runs as root"
    elif ! getent passwd "$(id -u)" >/dev/null 2>&1; then
      echo "uid $(id -u) has no passwd entry (single-user mode needs one)"
    elif [ ! -d "$PGDATA" ] || [ ! -w "$PGDATA" ] || [ -n "$(ls -A "$PGDATA")" ]; then
      echo "PGDATA ($PGDATA) is not an empty directory this user can write"
    fi
  fi
}

if [ "${1:-}" = postgres ] && [ -n "${PGDATA:-}" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  # The official entrypoint's defaults.
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  why=$(unfit)
  if [ -n "$why" ]; then
    say "initialising as the image does: $why"
  else
    # Files 0600, directories 0700, owned by the running user, as initdb makes them (cp gives an
    # existing directory the source's mode).
    if ! (umask 077 && cp -R "$root/data/." "$PGDATA/" && chmod 0700 "$PGDATA"); then
      say "copying the template into $PGDATA failed"
      exit 1
    fi
    # SQL on stdin (printf is a builtin: the password is on no command line); no statement is
    # logged, so the password cannot reach the log; an error ends the backend with status 1.
    literal=$(printf '%s' "$POSTGRES_PASSWORD" | sed "s/'/''/g")
    ident=$(printf '%s' "$user" | sed 's/"/""/g')
    if ! out=$(printf 'ALTER ROLE "%s" PASSWORD '"'"'%s'"'"';\n' "$ident" "$literal" |
      postgres --single -D "$PGDATA" -c exit_on_error=on -c log_min_error_statement=panic -c log_statement=none -c fsync=off postgres 2>&1 >/dev/null); then
      say "setting the password of $user failed:$nl$out"
      exit 1
    fi
  fi
fi
exec "$entrypoint" "$@"
