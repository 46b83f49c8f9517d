// One JSON object per line on stdout: what `docker logs` and the health gates collect.
import type { LogLevel } from "./config";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, unknown>;
export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(level: LogLevel, base: Fields): Logger {
  const write = (at: LogLevel, msg: string, fields: Fields = {}) => {
    if (ORDER[at] < ORDER[level]) return;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...base, ...fields })}\n`);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

/** The message of anything thrown, for a log field (never a stack on stdout). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
