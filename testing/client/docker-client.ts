// The Docker client in berth's public signatures. Inside, berth uses dockerode with its types; the
// published types must resolve without @types/dockerode (a devDependency of berth, not of a team),
// so the surface names only what berth needs of a client, which a dockerode `Docker` satisfies.
import Docker from "dockerode";

/** A Docker Engine API client: `new Docker(…)` from dockerode (berth's dependency), e.g. for another engine. */
export interface DockerClient {
  getContainer(id: string): unknown;
  listContainers(options?: object): Promise<unknown[]>;
}

/** The dockerode client behind a DockerClient, or one for DOCKER_HOST / the default socket. */
export function dockerode(client: DockerClient | undefined): Docker {
  return (client as Docker | undefined) ?? new Docker();
}
