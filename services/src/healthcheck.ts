// The image's healthcheck: `node /app/dist/healthcheck.js [port]`. Exit 0 iff
// GET http://127.0.0.1:<port>/health answers 200 within 2 s. Node only: no curl, wget or shell,
// so it works on Alpine and Debian bases alike. Without a port argument it picks the entry
// point's port from the same env (WORKER_ID set → WORKER_PORT, else ORCHESTRATOR_PORT).
import http from "node:http";

const TIMEOUT_MS = 2000;

function defaultPort(env: NodeJS.ProcessEnv): string {
  return env.WORKER_ID ? env.WORKER_PORT || "8081" : env.ORCHESTRATOR_PORT || "8080";
}

const port = Number(process.argv[2] ?? defaultPort(process.env));
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`healthcheck: invalid port ${JSON.stringify(process.argv[2])}\n`);
  process.exit(1);
}

const fail = (why: string) => {
  process.stderr.write(`healthcheck: ${why}\n`);
  process.exit(1);
};
setTimeout(() => fail(`no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
http
  .get({ host: "127.0.0.1", port, path: "/health" }, (res) => {
    res.resume();
    if (res.statusCode === 200) process.exit(0);
    fail(`GET /health answered ${res.statusCode}`);
  })
  .on("error", (error) => fail(error.message));
