// Every tool's entry point ends the same way: exit as soon as stdout is flushed (the gate's latency
// budget is tens of milliseconds; an open socket or timer must not keep the process alive), and
// turn an unexpected exception into exit 1 with its stack, since only bugs get that far.

/**
 * Set by engine mode on the commands it runs: the pid of the process that ran the tool. The tool
 * ends when that process is gone (a killed run leaves no gate behind); `pulumi up` does not set it.
 */
export const PARENT_PID_VARIABLE = "BERTH_PARENT_PID";
const PARENT_CHECK_MS = 250;

/** Exits (130, as cancelled) once the process named by PARENT_PID_VARIABLE no longer exists. */
export function exitWhenParentGone(env: NodeJS.ProcessEnv = process.env): void {
  const pid = Number(env[PARENT_PID_VARIABLE]);
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, not ours to signal
    }
  };
  setInterval(() => {
    if (!alive()) process.exit(130);
  }, PARENT_CHECK_MS).unref();
}

export async function runMain(tool: string, main: () => Promise<number>): Promise<number> {
  exitWhenParentGone();
  try {
    return await main();
  } catch (err) {
    process.stderr.write(
      `${tool}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

export function exitAfterFlush(code: number): void {
  process.stdout.write("", () => process.exit(code));
}
