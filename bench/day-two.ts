// The day-two section of `npm run bench`: what a team's CI or a person does after the first up,
// each step in a process of its own (bench/child-process.ts), the stack kept between them. Per
// round, on a fresh stack: up (2 workers) → the same up again (unchanged) → restart each service
// through the test kit → destroy → up killed -9 as its orchestrator gate starts → up again →
// 2 → 4 → 1 workers → destroy (not counted). Formatting: day-two-report.ts.
import type Docker from "dockerode";
import { berthRequest, BERTH_PROJECT, REPO_ROOT } from "../lab/berth-program";
import { nowMs } from "../lab/clock";
import { requireBuilt } from "../lab/gate-runner";
import { openStack } from "../testing/client/stack";
import { sweepStack } from "../testing/engine/stack-objects";
import { Child, ChildEnd, ENGINE_CHILD, runChild } from "./child-process";
import {
  ChildTimes,
  DAY_TWO_WORKERS,
  DayTwoResults,
  DayTwoRound,
  RESTART_SERVICES,
  RestartService,
} from "./day-two-report";
import type { ChildRequest, ChildResult } from "./engine-child";
import { BenchImages, engineConfig } from "./engine-run";
import { upTierMs } from "./tiers";

export interface DayTwoOptions {
  images: BenchImages;
  /** The stack name of a part of the run (unique per bench run). */
  stackName: (part: string) => string;
  rounds: number;
  docker: Docker;
  log: (line: string) => void;
}

/** The gate the kill waits for: the up dies with the data tier up and the orchestrator's gate running. */
const KILL_AT = "berth-orchestrator-gate-wait";
/** Any one step's limit (a fresh up of the test stack takes seconds). */
const STEP_TIMEOUT_MS = 300_000;

/** Waits for a child's exit (killed after STEP_TIMEOUT_MS); fails unless it exited 0 with a result. */
async function finished(child: Child, what: string): Promise<ChildEnd & { result: ChildResult }> {
  const timer = setTimeout(() => child.process.kill("SIGKILL"), STEP_TIMEOUT_MS);
  const end = await child.ended.finally(() => clearTimeout(timer));
  if (end.code !== 0 || !end.result)
    throw new Error(`${what} exited ${end.code ?? end.signal}:\n${end.stderr.split("\n").slice(-25).join("\n")}`);
  return end as ChildEnd & { result: ChildResult };
}

const times = (child: Child, end: ChildEnd & { result: ChildResult }): ChildTimes => ({
  opMs: end.result.upMs,
  spawnToExitMs: end.endedAtMs - child.spawnedAtMs,
});

async function dayTwoRound(opts: DayTwoOptions, stack: string, notes: string[]): Promise<DayTwoRound> {
  const request = (workers: number, op: ChildRequest["op"] = "up"): ChildRequest => {
    // A program is a function, which JSON cannot carry: the child makes it from workDir's Pulumi.yaml.
    const { program: _madeByChild, ...rest } = berthRequest(stack, "test", engineConfig(opts.images, workers));
    return { ...rest, workDir: REPO_ROOT, keep: true, then: "exit", op };
  };
  const step = async (what: string, req: ChildRequest) => {
    const child = runChild(req);
    const end = await finished(child, `${what} of ${stack}`);
    opts.log(
      `day two ${stack}: ${what} ${(end.result.upMs / 1000).toFixed(2)} s in the process, ${((end.endedAtMs - child.spawnedAtMs) / 1000).toFixed(2)} s spawn to exit`,
    );
    return { end, times: times(child, end) };
  };
  const { start, up, down } = DAY_TWO_WORKERS;

  const first = await step("up", request(start));
  const unchanged = await step("unchanged up", request(start));
  const changed = unchanged.end.result.timeline.filter((e) => e.action !== "same");
  if (changed.length > 0)
    notes.push(
      `${stack}: the "unchanged" up changed ${changed.map((e) => `${e.name} (${e.action}${e.reason ? `: ${e.reason}` : ""})`).join(", ")}.`,
    );

  const handle = await openStack({ project: BERTH_PROJECT, stack, docker: opts.docker });
  const restartMs = {} as Record<RestartService, number>;
  const restartGateMs = {} as Record<RestartService, number>;
  for (const service of RESTART_SERVICES) {
    const t = nowMs();
    const gate = await handle.restart(service);
    restartMs[service] = nowMs() - t;
    restartGateMs[service] = gate.elapsedMs;
    opts.log(
      `day two ${stack}: restart ${service} ${(restartMs[service] / 1000).toFixed(2)} s, of which its gate ${(gate.elapsedMs / 1000).toFixed(2)} s`,
    );
  }
  const destroy = await step("destroy", request(start, "destroy"));

  const killed = runChild(request(start));
  const timer = setTimeout(() => killed.process.kill("SIGKILL"), STEP_TIMEOUT_MS);
  await Promise.race([
    killed.started(KILL_AT),
    killed.ended.then((e) =>
      Promise.reject(
        new Error(`the up to be killed of ${stack} exited ${e.code ?? e.signal} before ${KILL_AT}:\n${e.stderr}`),
      ),
    ),
  ]).finally(() => clearTimeout(timer));
  killed.process.kill("SIGKILL");
  await killed.ended;
  // The next up starts at once, as a retry would: the dead run's gate may still be ending.
  const afterKill = await step("up after kill -9", request(start));
  const scaleUp = await step(`${start} → ${up} workers`, request(up));
  const scaleDown = await step(`${up} → ${down} workers`, request(down));
  return {
    upTierMs: upTierMs(first.end.result.timeline),
    unchanged: unchanged.times,
    restartMs,
    restartGateMs,
    destroy: destroy.times,
    upAfterKill: afterKill.times,
    upAfterKillChanges: afterKill.end.result.changes,
    scaleUp: scaleUp.times,
    scaleDown: scaleDown.times,
  };
}

export async function measureDayTwo(opts: DayTwoOptions): Promise<DayTwoResults> {
  requireBuilt(ENGINE_CHILD);
  const rounds: DayTwoRound[] = [];
  const notes: string[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    const stack = opts.stackName(`d2-${i + 1}`);
    try {
      rounds.push(await dayTwoRound(opts, stack, notes));
    } finally {
      // Destroy from a new process, as the section measures it; whatever that leaves is swept.
      const end = await runChild({ stack, project: BERTH_PROJECT, workDir: REPO_ROOT, op: "destroy" }).ended;
      if (end.code !== 0)
        opts.log(`day two ${stack}: the last destroy exited ${end.code ?? end.signal}; sweeping:\n${end.stderr}`);
      await sweepStack(opts.docker, stack);
    }
  }
  return { rounds, notes };
}
