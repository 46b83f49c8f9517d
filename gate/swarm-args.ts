// The gate's --swarm-service option: `<service>` or `<service>=<replicas>`. Its own file so the
// swarm probe stays apart from the one-engine probes (gate-args.ts only registers it).
import { InvalidArgumentError } from "commander";
import { DOCKER_OBJECT_NAME } from "./arg-parsers";

export interface SwarmServiceTarget {
  /** Service name or id, as the manager knows it. */
  service: string;
  /** The replica count the service must ask for; undefined: whatever its spec says. */
  replicas?: number;
}

export function swarmService(value: string): SwarmServiceTarget {
  const match = /^([^=]+?)(?:=(\d+))?$/.exec(value);
  if (!match || !DOCKER_OBJECT_NAME.test(match[1]))
    throw new InvalidArgumentError("expected <service> or <service>=<replicas>, e.g. berth-test-worker=4");
  if (match[2] === undefined) return { service: match[1] };
  const replicas = Number(match[2]);
  if (replicas < 1 || replicas > 10_000)
    throw new InvalidArgumentError("expected a replica count from 1 to 10000, e.g. berth-test-worker=4");
  return { service: match[1], replicas };
}

export const SWARM_SERVICE_HELP =
  "swarm service whose replicas must all run healthy; =n: the count its spec must ask for (repeatable; asks DOCKER_HOST, a manager)";
