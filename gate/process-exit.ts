// Both entry points end the same way: exit as soon as stdout is flushed (the gate's latency budget
// is tens of milliseconds; an open socket or timer must not keep the process alive), and turn an
// unexpected exception into exit 1 with its stack, since only bugs get that far.

export async function runMain(tool: string, main: () => Promise<number>): Promise<number> {
  try {
    return await main();
  } catch (err) {
    process.stderr.write(`${tool}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

export function exitAfterFlush(code: number): void {
  process.stdout.write("", () => process.exit(code));
}
