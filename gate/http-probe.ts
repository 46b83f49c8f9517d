// --http: the URL answers the expected status and, optionally, the JSON condition.
import { request as httpRequest } from "node:http";
import type { MinItems } from "./arg-parsers";
import { checkMinItems } from "./http-condition";
import { Attempt, AttemptOutcome, pollUntilHealthy } from "./poll";
import { redactUrl } from "./redact";
import { errorMessage, Probe } from "./types";

export interface HttpExpectation {
  status: number;
  minItems?: MinItems;
}

export function httpProbe(rawUrl: string, expect: HttpExpectation, intervalMs: number): Probe {
  return {
    kind: "http",
    target: redactUrl(rawUrl) ?? rawUrl,
    run: (ctx) => pollUntilHealthy(httpAttempt(rawUrl, expect), intervalMs, ctx),
  };
}

/**
 * node:http, one connection per attempt. Not fetch: undici leaves its first request hanging until
 * the attempt's timeout when the peer closes the connection right after accepting it, which is
 * what Docker's port proxy does until the container listens (5 s lost per tier).
 */
export function httpAttempt(rawUrl: string, expect: HttpExpectation): Attempt {
  const { url, headers } = splitCredentials(rawUrl);
  // node:https loads TLS (~4 ms of the gate's start-up): only for an https URL.
  const send = url.protocol === "https:" ? (require("node:https") as typeof import("node:https")).request : httpRequest;
  return (signal) =>
    new Promise((resolve) => {
      const request = send(url, { headers, signal, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (err) => resolve({ ok: false, detail: errorMessage(err) }));
        response.on("end", () =>
          resolve(judge(response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), expect)),
        );
      });
      request.on("error", (err) => resolve({ ok: false, detail: errorMessage(err) }));
      request.end();
    });
}

function judge(statusCode: number, body: string, expect: HttpExpectation): AttemptOutcome {
  const status = `HTTP ${statusCode}`;
  if (statusCode !== expect.status) return { ok: false, detail: `${status} (expected ${expect.status})` };
  if (!expect.minItems) return { ok: true, detail: status };
  const condition = checkMinItems(body, expect.minItems);
  return { ok: condition.ok, detail: `${status}, ${condition.detail}` };
}

/** Credentials in the URL go as Basic auth, never in the request line. */
function splitCredentials(raw: string): { url: URL; headers: Record<string, string> } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url, headers: {} };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
    "base64",
  );
  url.username = "";
  url.password = "";
  return { url, headers: { authorization: `Basic ${basic}` } };
}
