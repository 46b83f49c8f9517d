// What a failure report shows about a container: the healthcheck outputs Docker recorded
// (State.Health.Log, newest last) and the tail of its logs, stdout and stderr interleaved.
import type { EngineClient } from "./engine-client";
import { errorMessage } from "./types";

export interface HealthcheckRun {
  exitCode: number;
  output: string;
}

export interface ContainerDiagnostics {
  healthLog: HealthcheckRun[];
  /** HostConfig.Memory; 0 when unlimited or unknown. */
  memoryLimitBytes: number;
  logLines: string[];
  /** Why the logs could not be read, when they could not. */
  logsError?: string;
}

export async function diagnoseContainer(
  engine: EngineClient,
  ref: string,
  logLines: number,
): Promise<ContainerDiagnostics> {
  let healthLog: HealthcheckRun[] = [];
  let memoryLimitBytes = 0;
  let tty = false;
  try {
    const info = await engine.inspect(ref);
    healthLog = (info.State.Health?.Log ?? []).map((run) => ({ exitCode: run.ExitCode, output: run.Output }));
    memoryLimitBytes = info.HostConfig.Memory ?? 0;
    tty = info.Config.Tty;
  } catch {
    // removed already: the logs call below says so
  }
  const known = { healthLog, memoryLimitBytes };
  if (logLines === 0) return { ...known, logLines: [] };
  try {
    const raw = await engine.logs(ref, logLines);
    return { ...known, logLines: lastLines(tty ? raw.toString("utf8") : demuxFrames(raw), logLines) };
  } catch (err) {
    return { ...known, logLines: [], logsError: errorMessage(err) };
  }
}

/** The text of a multiplexed (non-TTY) log: frames of an 8-byte header (stream, size) and payload. */
export function demuxFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length && buf[offset] <= 2 && buf.readUInt16BE(offset + 1) === 0) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  // Not framed (a TTY task): the bytes are the text.
  return offset === 0 ? buf.toString("utf8") : Buffer.concat(parts).toString("utf8");
}

/** The last `count` lines of a text, without the empty string after a final newline. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return count === 0 ? [] : lines.slice(-count);
}
