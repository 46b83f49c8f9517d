#!/bin/sh
# berth: the Postgres container's command (run through the image's entrypoint, which execs it).
# $1 is the template directory on the engine's shared template volume (template.ts), the rest the
# server's command. When the volume holds a complete template that fits this start, it is copied
# into the empty PGDATA (a tmpfs in berth) and the password set in single-user mode, before any
# server listens; then the image's own entrypoint finds PG_VERSION and starts the server at once:
# no initdb, no temporary server. Otherwise (no template yet: a helper container on the engine is
# making it for the next start; or one that does not fit) the image's entrypoint initialises as it
# always does. POSIX sh: dash on Debian, busybox ash on Alpine.
set -eu
template=$1
shift
entrypoint=docker-entrypoint.sh
nl='
'

say() { printf 'berth-postgres-start: %s\n' "$*" >&2; }

# Why the template does not fit this start; nothing when it does.
unfit() {
  if [ ! -s "$template/current/data/PG_VERSION" ]; then
    echo "no template on this engine yet (one is being made for the next start)"
  elif [ "$user" != "$(cat "$template/current/user")" ] || [ "$db" != "$(cat "$template/current/database")" ]; then
    echo "the template was made for user $(cat "$template/current/user") and database $(cat "$template/current/database"), not $user and $db"
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
    elif [ "$(env | grep -E '^(LANG|LANGUAGE|LC_[A-Z]+|TZ|PGTZ)=' | sort)" != "$(cat "$template/current/initdb-env")" ]; then
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

# Copies the template into PGDATA and sets the password; fails (saying why) when it cannot.
from_template() {
  # Files 0600, directories 0700, owned by the running user, as initdb makes them (cp gives an
  # existing directory the source's mode).
  if ! (umask 077 && cp -R "$template/current/data/." "$PGDATA/" && chmod 0700 "$PGDATA"); then
    echo "copying the template into $PGDATA failed"
    return 1
  fi
  # SQL on stdin (printf is a builtin: the password is on no command line); no statement is
  # logged, so the password cannot reach the log; an error ends the backend with status 1.
  literal=$(printf '%s' "$POSTGRES_PASSWORD" | sed "s/'/''/g")
  ident=$(printf '%s' "$user" | sed 's/"/""/g')
  if ! out=$(printf 'ALTER ROLE "%s" PASSWORD '"'"'%s'"'"';\n' "$ident" "$literal" |
    postgres --single -D "$PGDATA" -c exit_on_error=on -c log_min_error_statement=panic -c log_statement=none -c fsync=off postgres 2>&1 >/dev/null); then
    echo "setting the password of $user failed:$nl$out"
    return 1
  fi
}

if [ "${1:-}" = postgres ] && [ -n "${PGDATA:-}" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  # The official entrypoint's defaults.
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  why=$(unfit)
  if [ -n "$why" ]; then
    say "initialising as the image does: $why"
  elif ! why=$(from_template 2>&1); then
    # A template cut short (an engine that died while it was written) must not stop the start.
    find "$PGDATA" -mindepth 1 -delete
    say "initialising as the image does: the template did not start:$nl$why"
  fi
fi
exec "$entrypoint" "$@"
