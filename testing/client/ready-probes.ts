// The direct readiness probes a restarted service's gate asks (pure): the ones the HealthGate gave
// the gate CLI at `up` — Postgres SELECT 1, Redis PING, the orchestrator's GET /health, and for the
// workers the orchestrator's worker list holding every one of them — derived from the containers
// as they are after the restart (an engine-picked host port moves), since the recorded gate
// results redact their URLs. Without them the gate waits for Docker's next healthcheck (every
// 60 s in the test stack).
import type { ContainerInspectInfo } from "dockerode";
import { LABELS } from "../../components/contract";
import { HEALTH_PATH, NETWORK_HOLDER_SERVICE, WORKERS_KEY, WORKERS_PATH } from "../../components/workload/contract";
import type { ReadyProbe } from "../../gate/gate-args";
import { nameOf, servicePort, urlFromContainer } from "./endpoints";

type Info = Pick<ContainerInspectInfo, "Name" | "Config" | "NetworkSettings">;

/** What a gate's --ready probes need: per container its URL, and the worker count a workers list must reach. */
export interface GateReady {
  probes: ReadyProbe[];
  /** `--http-min-items key=count`: set when a probe asks the orchestrator's worker list. */
  httpMinItems?: { key: string; count: number };
}

const serviceOf = (info: Info): string | undefined => info.Config.Labels?.[LABELS.service];

/** The URL a container's own service answers on the host, or undefined when it publishes none (or lacks the credentials). */
function hostUrl(kind: string, info: Info, host: (hostIp: string) => string): string | undefined {
  if (!servicePort(info)) return undefined;
  try {
    return urlFromContainer(kind, info, host);
  } catch {
    return undefined; // no POSTGRES_PASSWORD: Docker's healthcheck alone, as for a container the gate cannot ask
  }
}

/**
 * The ready probes for the containers of one gate (`gated`), with the stack's containers (`stack`)
 * for what the workers' readiness asks: the orchestrator's worker list (its one container's port)
 * and how many workers it must list (every container labelled berth.service=workers). A container
 * of another kind (a team's AppContainer: its ready path is not on the container) gets none.
 */
export function readyProbes(gated: Info[], stack: Info[], host: (hostIp: string) => string): GateReady {
  const orchestrators = stack.filter((i) => serviceOf(i) === "orchestrator");
  const orchestrator = orchestrators.length === 1 ? hostUrl("orchestrator", orchestrators[0], host) : undefined;
  const workers = stack.filter((i) => serviceOf(i) === "workers").length;
  const probes: ReadyProbe[] = [];
  let listsWorkers = false;
  for (const info of gated) {
    const kind = serviceOf(info);
    let url: string | undefined;
    if (kind === "postgres" || kind === "redis") url = hostUrl(kind, info, host);
    else if (kind === "orchestrator") {
      const own = hostUrl(kind, info, host);
      url = own === undefined ? undefined : `${own}${HEALTH_PATH}`;
    } else if ((kind === "workers" || kind === NETWORK_HOLDER_SERVICE) && orchestrator !== undefined && workers > 0) {
      url = `${orchestrator}${WORKERS_PATH}`;
      listsWorkers = true;
    }
    if (url !== undefined) probes.push({ container: nameOf(info), url });
  }
  return listsWorkers ? { probes, httpMinItems: { key: WORKERS_KEY, count: workers } } : { probes };
}
