#!/usr/bin/env bash
# The test command (`npm test`): type-check, lint (ESLint) and format check (Prettier), build, the API report check, the unit suite once more on Node 22 LTS, then
# every suite (unit, integration, e2e) in one mocha run on the current Node. The last line adds
# the runs up: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
stats=$(mktemp -d)
trap 'rm -rf "$stats"' EXIT
setup_failures=0

step() { # step <name> <command...>: a failing setup step counts as one failed test
  if ! "${@:2}"; then echo "FAILED: $1"; setup_failures=$((setup_failures + 1)); return 1; fi
}

step "type check" npx tsc -p tsconfig.json --noEmit
step "lint" npx eslint . --max-warnings 0
step "format" npx prettier --check --log-level warn .
step "build" npm run --silent build
# The public surface (api/*.api.md, reports the build just made from dist/): a change fails here
# with the diff and how to accept it (`npm run api-report`).
step "API report" node scripts/api-report.js --check
# The reference workload is a package of its own (services/): install and build it when needed.
if [ -f services/package.json ]; then
  if [ ! -d services/node_modules ] || [ services/package-lock.json -nt services/node_modules ]; then
    step "services install" npm --prefix services ci --no-audit --no-fund --silent
  fi
  step "services build" npm --prefix services run --silent build
fi

if [ "${BERTH_SKIP_NODE22:-}" != "1" ]; then
  echo "== unit tests on Node 22 LTS"
  BERTH_STATS_FILE="$stats/node22.json" npx -y -p node@22 node node_modules/mocha/bin/mocha.js --spec 'tests/unit/**/*.test.ts' ||
    [ -s "$stats/node22.json" ] || setup_failures=$((setup_failures + 1))
fi

echo "== all suites on $(node -v)"
suites=("tests/unit/**/*.test.ts" "tests/integration/**/*.test.ts" "tests/e2e/**/*.test.ts")
[ $# -gt 0 ] && suites=("$@")
BERTH_STATS_FILE="$stats/main.json" npx mocha "${suites[@]}" || [ -s "$stats/main.json" ] || setup_failures=$((setup_failures + 1))

node -e '
const fs = require("fs"), dir = process.argv[1], extra = Number(process.argv[2]);
const t = { passes: 0, failures: extra, pending: 0 };
for (const f of fs.readdirSync(dir)) { const s = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")); for (const k in t) t[k] += s[k]; }
console.log(`${t.passes} passed, ${t.failures} failed, ${t.pending} skipped`);
process.exit(t.failures > 0 ? 1 : 0);
' "$stats" "$setup_failures"
