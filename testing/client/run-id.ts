// Who is running: one id per test run (shared by mocha's parallel workers through the
// environment), one per process, and the mocha worker index. Clone names and Redis slots come
// from these, so a reaper can remove exactly one process's or one run's leftovers.

/** BERTH_RUN_ID, else one made now and put into the environment so child processes share it. */
export function runId(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.BERTH_RUN_ID;
  if (given !== undefined) {
    if (!/^[a-z0-9]{1,12}$/.test(given))
      throw new Error(
        `BERTH_RUN_ID must be 1 to 12 lower-case letters or digits (it is part of database names); got "${given}"`,
      );
    return given;
  }
  // Set before mocha starts its workers (e.g. in mochaGlobalSetup), every worker inherits it.
  const made = `${Date.now().toString(36).slice(-6)}${process.pid.toString(36)}`.slice(0, 12);
  env.BERTH_RUN_ID = made;
  return made;
}

/** This process among the run's: its pid, in base 36 (unique among live processes). */
export function processTag(pid: number = process.pid): string {
  return pid.toString(36);
}

/** The mocha parallel worker's index (MOCHA_WORKER_ID: 0, 1, …), 0 outside parallel mode. */
export function workerIndex(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MOCHA_WORKER_ID;
  if (raw === undefined || raw === "") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`MOCHA_WORKER_ID must be a whole number; got "${raw}"`);
  return n;
}
