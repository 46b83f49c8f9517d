// What a failure report shows about a container: the healthcheck outputs Docker recorded
// (State.Health.Log, newest last) and the tail of its logs, stdout and stderr interleaved.
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
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

export async function diagnoseContainer(engine: EngineClient, ref: string, logLines: number): Promise<ContainerDiagnostics> {
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
    return { ...known, logLines: lastLines(tty ? raw.toString("utf8") : await demux(engine, raw), logLines) };
  } catch (err) {
    return { ...known, logLines: [], logsError: errorMessage(err) };
  }
}

/** Without a TTY the engine multiplexes stdout and stderr into frames; docker-modem splits them. */
async function demux(engine: EngineClient, raw: Buffer): Promise<string> {
  const chunks: Buffer[] = [];
  // A Writable that stores synchronously: every frame is in `chunks` by the time the source ends.
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const source = Readable.from([raw]);
  engine.modem.demuxStream(source, sink, sink);
  await once(source, "end");
  return Buffer.concat(chunks).toString("utf8");
}

/** The last `count` lines of a text, without the empty string after a final newline. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return count === 0 ? [] : lines.slice(-count);
}
