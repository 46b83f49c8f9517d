// Which Docker engine a component's helper commands (gates, the pids step) must talk to: the one
// its Docker resources use. That is the docker.Provider the component was given (or inherited from
// its parent), else an explicit address, else the local engine; a provider and an explicit address
// that disagree are a mistake, never a silent call to the wrong engine.
import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";

const DOCKER_TYPE = "docker:index/container:Container";

/** The engine address of `resource`'s docker provider, or `explicit`; undefined means the local engine. */
export function engineOf(
  resource: pulumi.Resource,
  explicit?: pulumi.Input<string>,
): pulumi.Output<string | undefined> {
  const provider = resource.getProvider(DOCKER_TYPE) as docker.Provider | undefined;
  const fromProvider: pulumi.Input<string | undefined> = provider?.host ?? undefined;
  return pulumi.all([fromProvider, explicit]).apply(([host, given]) => {
    if (host !== undefined && given !== undefined && host !== given) {
      throw new pulumi.ResourceError(
        `the docker provider talks to ${host} but dockerHost says ${given}: give one engine (drop dockerHost, or make it the provider's host)`,
        resource,
      );
    }
    return given ?? host;
  });
}

/** The environment the gate and the tools need to reach that engine (none: DOCKER_HOST or the default socket). */
export function engineEnvironment(host: pulumi.Input<string | undefined>): pulumi.Output<Record<string, string>> {
  return pulumi.output(host).apply((h): Record<string, string> => (h === undefined ? {} : { DOCKER_HOST: h }));
}
