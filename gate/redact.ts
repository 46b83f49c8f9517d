// Passwords must never reach stdout or stderr: URLs are printed redacted, and every line the gate
// prints also passes through a scrubber that knows the secrets (defence in depth: a client
// library's error message might quote a connection string).

const SECRET_QUERY_PARAMS = ["password", "sslpassword"];
export const REDACTED = "***";

/** The URL with its password (userinfo and query) replaced by ***; undefined when not a URL. */
export function redactUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.password) url.password = REDACTED;
  for (const param of SECRET_QUERY_PARAMS) {
    if (url.searchParams.has(param)) url.searchParams.set(param, REDACTED);
  }
  return url.toString();
}

/** The secrets a URL carries, in every spelling that could be printed (encoded and decoded). */
export function secretsOfUrl(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [];
  }
  const found = [url.password, ...SECRET_QUERY_PARAMS.map((p) => url.searchParams.get(p) ?? "")];
  const spellings = found.filter((s) => s !== "").flatMap((s) => [s, safeDecode(s)]);
  return [...new Set(spellings)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Replaces every known secret in a text by ***; longest first so a secret containing another goes whole. */
export function makeScrubber(secrets: readonly string[]): (text: string) => string {
  const ordered = [...new Set(secrets)].filter((s) => s !== "").sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
