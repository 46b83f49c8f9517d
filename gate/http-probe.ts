// --http: the URL answers the expected status and, optionally, the JSON condition.
import type { MinItems } from "./arg-parsers";
import { checkMinItems } from "./http-condition";
import { Attempt, pollUntilHealthy } from "./poll";
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

export function httpAttempt(rawUrl: string, expect: HttpExpectation): Attempt {
  const { url, headers } = splitCredentials(rawUrl);
  return async (signal) => {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal });
    } catch (err) {
      return { ok: false, detail: fetchFailure(err) };
    }
    const body = await response.text();
    const status = `HTTP ${response.status}`;
    if (response.status !== expect.status) return { ok: false, detail: `${status} (expected ${expect.status})` };
    if (!expect.minItems) return { ok: true, detail: status };
    const condition = checkMinItems(body, expect.minItems);
    return { ok: condition.ok, detail: `${status}, ${condition.detail}` };
  };
}

/** fetch refuses URLs with user:password; send them as Basic auth instead. */
function splitCredentials(raw: string): { url: string; headers: Record<string, string> } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw, headers: {} };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64");
  url.username = "";
  url.password = "";
  return { url: url.toString(), headers: { authorization: `Basic ${basic}` } };
}

/** undici reports "fetch failed" and hides the socket error in `cause`. */
function fetchFailure(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause ? errorMessage(cause) : errorMessage(err);
}
