// Value parsers for commander options. Each throws commander's InvalidArgumentError, which commander
// turns into one line naming the flag, the value and what is allowed.
import { InvalidArgumentError } from "commander";

/** Docker's names of containers and swarm services (and their hex ids): letters, digits, "_", "." and "-", starting with a letter or digit. */
export const DOCKER_OBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

export function positiveNumber(value: string): number {
  if (!DECIMAL.test(value) || Number(value) <= 0)
    throw new InvalidArgumentError("expected a number greater than 0, e.g. 30 or 2.5");
  return Number(value);
}

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!INTEGER.test(value) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected a whole number ${range}`);
    }
    return n;
  };
}

export interface MinItems {
  key: string;
  min: number;
}

/** `workers=3`: the JSON body's top-level field "workers" holds at least 3 items (or a number >= 3). */
export function minItems(value: string): MinItems {
  const match = /^([^=\s]+)=(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError("expected <key>=<n>, e.g. workers=3");
  return { key: match[1], min: Number(match[2]) };
}

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port` or `[ipv6]:port`. */
export function hostPort(value: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d+)$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535)
    throw new InvalidArgumentError("expected <host>:<port> with a port from 1 to 65535, e.g. 127.0.0.1:5432");
  return { host: match[1] ?? match[2], port };
}

export interface PidsLimit {
  container: string;
  pidsLimit: number;
}

/** `<container>=<n>`, split at the first "=" (Docker names never hold one). */
export function pidsLimit(value: string): PidsLimit {
  const match = /^([^=\s]+)=(\d+)$/.exec(value);
  if (!match || Number(match[2]) < 1)
    throw new InvalidArgumentError("expected <container>=<n> with n >= 1, e.g. berth-test-postgres=256");
  return { container: match[1], pidsLimit: Number(match[2]) };
}

/** Accumulates a repeatable option's values (no default, so --help shows none). */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}
