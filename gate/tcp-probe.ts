// --tcp: something accepts a TCP connection at host:port.
import { connect } from "node:net";
import type { HostPort } from "./arg-parsers";
import { Attempt, pollUntilHealthy } from "./poll";
import type { Probe } from "./types";

export function tcpProbe(address: HostPort, intervalMs: number): Probe {
  const target = address.host.includes(":") ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
  return { kind: "tcp", target, run: (ctx) => pollUntilHealthy(tcpAttempt(address), intervalMs, ctx) };
}

export function tcpAttempt(address: HostPort): Attempt {
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host: address.host, port: address.port, signal });
      socket.once("connect", () => {
        socket.destroy();
        resolve({ ok: true, detail: "connected" });
      });
      socket.once("error", (err) => resolve({ ok: false, detail: err.message }));
    });
}
