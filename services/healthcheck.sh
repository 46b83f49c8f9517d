#!/bin/sh
# The components' healthcheck: `sh /app/dist/healthcheck.sh <port>`. Exit 0 iff
# GET http://127.0.0.1:<port>/health answers 200 within 2 s, asked by the lightest client the image
# has: bash's /dev/tcp (Debian), else wget under timeout (busybox's on Alpine), else healthcheck.js
# beside it. Docker runs it in the container at every interval; a probe that starts node takes
# about twice the CPU of one that does not (bench/HISTORY.md, "A quieter idle stack: probes without
# node, a worker that waits"). Without a port, healthcheck.js picks it.
port=${1:-}
case $port in
  "") exec node "${0%/*}/healthcheck.js" ;;
  *[!0-9]*) echo "healthcheck: invalid port \"$port\"" >&2; exit 1 ;;
esac
if command -v bash >/dev/null 2>&1; then
  # HTTP/1.0, and only the status line is read.
  exec bash --norc --noprofile -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    printf -v cr "\r"
    IFS=" $cr" read -r -t 2 _ code _ <&3 || { echo "healthcheck: GET /health got no answer within 2 s" >&2; exit 1; }
    [ "$code" = 200 ] || { echo "healthcheck: GET /health answered $code" >&2; exit 1; }' healthcheck "$port"
fi
if command -v wget >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
  # wget says why it failed (busybox's: the status line, or the connection error).
  timeout 2 wget -q -O /dev/null "http://127.0.0.1:$port/health" && exit 0
  echo "healthcheck: GET /health failed" >&2
  exit 1
fi
exec node "${0%/*}/healthcheck.js" "$port"
