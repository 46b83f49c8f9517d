// Where the worker pool runs: on the one engine (`berth:cluster: none`) or as a replicated service
// of a Docker Swarm (`swarm`), and the settings of that service under berth:swarm. The rules that
// tie the swarm mode to other keys (images, namespaces, the socket, no-new-privileges) live here.
import { z } from "zod";
import { ConfigProblem } from "../problems";
import { Assert, EnvironmentType, Same } from "../fields";
import type { WorkersSettings } from "./settings";

/** none: every container on one engine; swarm: the workers as a replicated service of a swarm (berth:cluster). */
export type ClusterMode = "none" | "swarm";
export const CLUSTERS = ["none", "swarm"] as const;
export type ClustersListed = Assert<Same<(typeof CLUSTERS)[number], ClusterMode>>;

// Swarm's own syntax: node.role==worker, node.labels.pool!=db, engine.labels.ssd==true.
const constraint = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*\s*(==|!=)\s*\S+$/, {
  message: 'a placement constraint such as "node.role==worker" or "node.labels.pool==ci"',
});

export const clusterSchema = {
  cluster: z
    .enum(CLUSTERS)
    .describe(
      "none: every container on one engine; swarm: the workers as a replicated service of the swarm whose manager is docker.host (README, Swarm)",
    )
    .optional(),
  swarm: z
    .strictObject({
      constraints: z
        .array(constraint)
        .describe("placement constraints of the worker replicas; [] lets them run on the manager too")
        .optional(),
    })
    .optional(),
};

/** berth:swarm with every default applied. */
export interface SwarmSettings {
  /** Placement constraints of the worker replicas ("node.role==worker"); [] lets them run on the manager too. */
  constraints: string[];
}

/** Workers stay off the manager, which runs Postgres, Redis and the orchestrator. */
export const DEFAULT_SWARM_CONSTRAINTS: readonly string[] = Object.freeze(["node.role==worker"]);

export function clusterDefaults(_environment: EnvironmentType): { cluster: ClusterMode; swarm: SwarmSettings } {
  return { cluster: "none", swarm: { constraints: [...DEFAULT_SWARM_CONSTRAINTS] } };
}

/** What the swarm rules read from the rest of the settings. */
export interface SwarmContext {
  cluster: ClusterMode;
  /** berth:swarm as the stack file gives it. */
  swarmGiven: unknown;
  workers: Pick<WorkersSettings, "namespaces" | "dockerSocket">;
  /** berth:images.app, when given. */
  appImage: string | undefined;
  /** berth:hardening.workers.noNewPrivileges after defaults. */
  workersNoNewPrivileges: boolean;
}

/** Rules between berth:cluster and the other keys; paths are from berth: (they span sections). */
export function clusterProblems(c: SwarmContext): ConfigProblem[] {
  if (c.cluster !== "swarm") {
    return c.swarmGiven === undefined
      ? []
      : [
          {
            path: ["swarm"],
            given: c.swarmGiven,
            allowed: "nothing unless berth:cluster is swarm: set berth:cluster: swarm, or remove berth:swarm",
          },
        ];
  }
  const problems: ConfigProblem[] = [];
  if (c.appImage === undefined) {
    problems.push({
      path: ["images", "app"],
      given: undefined,
      allowed:
        'an image in a registry every swarm node pulls from, e.g. "registry.internal:5000/team/berth-workload:1.0" (with cluster: swarm the workload image cannot be built on one engine: push it and name it here)',
    });
  }
  if (c.workers.namespaces.length > 1) {
    problems.push({
      path: ["workers", "namespaces"],
      given: `${c.workers.namespaces.length} lists`,
      allowed: "one list of names for every replica when cluster is swarm (a swarm service runs identical replicas)",
      secret: true,
    });
  }
  if (c.workers.dockerSocket) {
    problems.push({
      path: ["workers", "dockerSocket"],
      given: true,
      allowed: "false when cluster is swarm (berth does not mount a swarm node's engine socket into its tasks)",
    });
  }
  if (!c.workersNoNewPrivileges) {
    problems.push({
      path: ["hardening", "workers", "noNewPrivileges"],
      given: false,
      allowed:
        'true (or unset) when cluster is swarm: a service spec cannot set no-new-privileges before Engine API 1.44; the nodes\' dockerd sets it for every container ("no-new-privileges": true in daemon.json, README, Swarm)',
    });
  }
  return problems;
}
