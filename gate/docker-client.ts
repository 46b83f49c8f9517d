// dockerode for what runs outside the gate's start path (tools/, npm run status, the test client):
// it reads DOCKER_HOST (unix://, tcp://, ssh://, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) like the
// docker CLI. The gate CLI itself uses the lighter engine-client.ts.
import type Docker from "dockerode";

/** dockerode loaded on first use: importing this file costs nothing until a client is made. */
export function createDockerClient(): Docker {
  const Dockerode = require("dockerode") as typeof Docker;
  return new Dockerode();
}
