// The health report: one row per container of a stack, from `docker inspect` data (pure; the
// clock is an argument, so rows are testable to the second), and its table form. `npm run status`
// and the test-side client print the same rows from here. A container the stack declares (its
// `containerNames` output) that the engine does not have gets a MISSING row: a removed worker is
// a finding, not a shorter list.
import type { ContainerInspectInfo } from "dockerode";
import Table from "cli-table3";
import { LABELS } from "../../components/contract";
import { conditionOf } from "../../gate/container-state";
import { nameOf } from "./endpoints";

/**
 * HEALTHY/UNHEALTHY/STARTING by the Docker healthcheck; RUNNING only for a container without one;
 * STOPPED for one that is not running (exited, OOM-killed, paused, created); MISSING for a declared
 * container the engine does not have.
 */
export type ServiceState = "HEALTHY" | "UNHEALTHY" | "STARTING" | "STOPPED" | "RUNNING" | "MISSING";

/** States that make a stack not up as declared: `npm run status` exits 1 on any of them. */
export const DOWN_STATES: readonly ServiceState[] = ["MISSING", "STOPPED", "UNHEALTHY"];

/** A container the stack declares: its `containerNames` output key (the service) and its name. */
export interface DeclaredContainer {
  service: string;
  container: string;
}

/** The detail of a MISSING row. */
export const MISSING_DETAIL = "declared, not on the engine";

export interface StatusRow {
  service: string;
  container: string;
  state: ServiceState;
  /** Why a container is not plainly up: "exited with code 3", "OOM-killed", "paused", … */
  detail: string | null;
  exitCode: number | null;
  uptimeSeconds: number | null;
  uptime: string;
  /** Published ports, `hostIp:hostPort->containerPort/proto`. */
  ports: string[];
}

export type Inspected = Pick<ContainerInspectInfo, "Name" | "State" | "Config" | "NetworkSettings">;

/** Tiers first, in the order they start; anything else after them by name. */
const SERVICE_ORDER = ["postgres", "redis", "orchestrator", "workers"];

export function containerState(state: Inspected["State"]): { state: ServiceState; detail: string | null } {
  const c = conditionOf(state);
  switch (c.kind) {
    case "paused":
      return { state: "STOPPED", detail: "paused" };
    case "restarting":
      return { state: "STARTING", detail: "restarting" };
    case "oom":
      return { state: "STOPPED", detail: "OOM-killed" };
    case "created":
      return { state: "STOPPED", detail: "created, never started" };
    case "exited":
      return { state: "STOPPED", detail: `exited with code ${c.exitCode}` };
    case "running":
      if (c.health === "none") return { state: "RUNNING", detail: "no healthcheck" };
      return {
        state: c.health === "healthy" ? "HEALTHY" : c.health === "unhealthy" ? "UNHEALTHY" : "STARTING",
        detail: null,
      };
  }
}

/** "45s", "3m 05s", "2h 03m", "4d 07h": two units at most, like `docker ps`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor(s / 3600) % 24)}h`;
}

/** Published ports from NetworkSettings.Ports, by container port, IPv4 before IPv6. */
export function publishedPorts(
  ports: Record<string, { HostIp?: string; HostPort?: string }[] | null> | undefined,
): string[] {
  const rows: { key: number; v6: boolean; text: string }[] = [];
  for (const [containerPort, bindings] of Object.entries(ports ?? {})) {
    for (const b of bindings ?? []) {
      const ip = b.HostIp || "0.0.0.0";
      const host = ip.includes(":") ? `[${ip}]` : ip;
      rows.push({
        key: parseInt(containerPort, 10),
        v6: ip.includes(":"),
        text: `${host}:${b.HostPort}->${containerPort}`,
      });
    }
  }
  return rows
    .sort((a, b) => a.key - b.key || Number(a.v6) - Number(b.v6) || a.text.localeCompare(b.text))
    .map((r) => r.text);
}

function statusRow(info: Inspected, now: Date): StatusRow {
  const { state, detail } = containerState(info.State);
  const up = state !== "STOPPED";
  const started = Date.parse(info.State.StartedAt);
  const uptimeSeconds = up && !Number.isNaN(started) ? Math.max(0, Math.floor((now.getTime() - started) / 1000)) : null;
  return {
    service: info.Config.Labels?.[LABELS.service] ?? "-",
    container: nameOf(info),
    state,
    detail,
    exitCode: up ? null : info.State.ExitCode,
    uptimeSeconds,
    uptime: uptimeSeconds === null ? "-" : formatDuration(uptimeSeconds),
    ports: up ? publishedPorts(info.NetworkSettings?.Ports) : [],
  };
}

const rank = (service: string) =>
  SERVICE_ORDER.includes(service) ? SERVICE_ORDER.indexOf(service) : SERVICE_ORDER.length;

/**
 * One row per container, tiers in start order, replicas in numeric order (worker-2 before
 * worker-10); each `declared` container the engine does not have gets a MISSING row, its service
 * the output key that declares it.
 */
export function statusRows(infos: Inspected[], now: Date, declared: readonly DeclaredContainer[] = []): StatusRow[] {
  const present = new Set(infos.map(nameOf));
  const missing = declared
    .filter((d) => !present.has(d.container))
    .map((d): StatusRow => ({
      service: d.service,
      container: d.container,
      state: "MISSING",
      detail: MISSING_DETAIL,
      exitCode: null,
      uptimeSeconds: null,
      uptime: "-",
      ports: [],
    }));
  return [...infos.map((i) => statusRow(i, now)), ...missing].sort(
    (a, b) =>
      rank(a.service) - rank(b.service) ||
      a.service.localeCompare(b.service) ||
      a.container.localeCompare(b.container, "en", { numeric: true }),
  );
}

/** The rows whose container is missing, not running or unhealthy (DOWN_STATES). */
export function downRows(rows: readonly StatusRow[]): StatusRow[] {
  return rows.filter((r) => DOWN_STATES.includes(r.state));
}

/** The table people read; no colours, so it reads the same in a log file. */
export function statusTable(rows: StatusRow[]): string {
  const table = new Table({
    head: ["SERVICE", "CONTAINER", "STATE", "UPTIME", "PORTS"],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    table.push([
      r.service,
      r.container,
      r.detail ? `${r.state} (${r.detail})` : r.state,
      r.uptime,
      r.ports.join("\n") || "-",
    ]);
  }
  return table.toString();
}
