// Claims of subnets picked but not yet created. Two stacks whose first ups run at once on one
// machine could both see a subnet free and pick it; the second create would then fail, and since
// the pick stays in the stack's state, keep failing. A pick therefore claims its subnet with a file
// created exclusively (O_EXCL: one process wins) in a per-user directory, and later picks skip
// subnets claimed by another network within CLAIM_TTL_MS, by which time the network exists (and is
// skipped as a network) or its up failed. Best effort: a directory that cannot be written claims
// nothing and blocks no pick.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A pick's network is created within seconds; a claim older than this is stale. */
export const CLAIM_TTL_MS = 120_000;

export interface SubnetClaims {
  /** True when `subnet` is now claimed by `owner` (or cannot be claimed at all); false when another owner holds it. */
  claim(subnet: string, owner: string): boolean;
}

/** Where this user's claims for one engine live: one directory per user, one file prefix per engine. */
export function claimsDirectory(): string {
  return join(tmpdir(), `berth-subnet-claims-${userInfo().uid}`);
}

const code = (err: unknown) => (err as { code?: string })?.code;

export function fileClaims(dir: string, engine: string, now: () => number = Date.now): SubnetClaims {
  const prefix = createHash("sha256").update(engine).digest("hex").slice(0, 12);
  const fileOf = (subnet: string) => join(dir, `${prefix}-${subnet.replace(/[./]/g, "-")}`);
  let swept = false;
  const sweep = () => {
    swept = true;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      try {
        if (now() - statSync(file).mtimeMs > CLAIM_TTL_MS) unlinkSync(file);
      } catch {
        // another pick swept it first
      }
    }
  };
  const create = (file: string, owner: string): boolean => {
    try {
      writeFileSync(file, owner, { flag: "wx", mode: 0o600 });
      return true;
    } catch (err) {
      if (code(err) === "EEXIST") return false;
      throw err;
    }
  };
  return {
    claim(subnet, owner) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!swept) sweep();
        const file = fileOf(subnet);
        if (create(file, owner)) return true;
        let holder: string;
        let age: number;
        try {
          holder = readFileSync(file, "utf8");
          age = now() - statSync(file).mtimeMs;
        } catch (err) {
          if (code(err) === "ENOENT") return create(file, owner); // released meanwhile
          throw err;
        }
        if (holder === owner) return true;
        if (age <= CLAIM_TTL_MS) return false;
        unlinkSync(file);
        return create(file, owner);
      } catch {
        return true;
      }
    },
  };
}
