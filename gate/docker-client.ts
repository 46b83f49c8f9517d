// dockerode for tools outside the gate's start path (npm run status): it reads DOCKER_HOST
// (unix://, tcp://, ssh://, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) like the docker CLI. The gate CLI
// itself uses the lighter engine-client.ts.
import Docker from "dockerode";

export { engineAddress, engineUnreachableMessage, isEngineUnreachable, isNoSuchContainer, unreachableReason } from "./engine-errors";

export function createDockerClient(): Docker {
  return new Docker();
}
