// Runs every probe in parallel under one time budget: passes when all are healthy at once, fails as
// soon as one reaches a terminal state, times out when the budget ends first.
import { setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { periodicLine, PERIODIC_PROGRESS_MS, progressLine } from "./progress";
import { Ending, ProbeTrack, settle } from "./result";
import { errorMessage, Observation, Probe, ProbeOutcome, TERMINAL_STATES } from "./types";

export interface GateRun {
  name: string;
  timeoutSeconds: number;
  probes: readonly Probe[];
  /** Receives each progress line (stderr in the CLI). */
  progress(line: string): void;
}

export interface GateOutcome {
  ending: Ending;
  elapsedMs: number;
  outcomes: ProbeOutcome[];
}

export function runGate(run: GateRun): Promise<GateOutcome> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const controller = new AbortController();
  // Every probe listens on this one signal (its engine events, its polls, its requests): a gate
  // over 11 or more containers is not a leak, and Node's warning would land in `pulumi up`'s output.
  setMaxListeners(0, controller.signal);
  const tracks: ProbeTrack[] = run.probes.map((p) => ({ kind: p.kind, target: p.target, healthyAtMs: null }));

  return new Promise((resolve) => {
    let done = false;
    const finish = (ending: Ending): void => {
      if (done) return;
      done = true;
      clearTimeout(budget);
      clearInterval(periodic);
      controller.abort(); // probes close their streams and connections
      resolve({ ending, elapsedMs: elapsed(), outcomes: settle(tracks, ending, run.timeoutSeconds) });
    };

    const update = (track: ProbeTrack) => (observation: Observation) => {
      if (done) return;
      const before = track.observation;
      track.observation = observation;
      if (observation.state === "healthy" && before?.state !== "healthy") track.healthyAtMs = elapsed();
      if (before?.state !== observation.state || before.detail !== observation.detail) {
        run.progress(progressLine(run.name, track.target, observation, elapsed()));
      }
      if (TERMINAL_STATES.has(observation.state)) finish("failed");
      else if (tracks.every((t) => t.observation?.state === "healthy")) finish("passed");
    };

    const budget = setTimeout(() => finish("timeout"), run.timeoutSeconds * 1000);
    const periodic = setInterval(() => {
      const waiting = tracks.filter((t) => t.observation?.state !== "healthy");
      run.progress(periodicLine(run.name, waiting, elapsed()));
    }, PERIODIC_PROGRESS_MS);

    run.probes.forEach((probe, i) => {
      const report = update(tracks[i]);
      probe
        .run({ signal: controller.signal, update: report })
        .catch((err) => report({ state: "error", detail: errorMessage(err) }));
    });
  });
}
