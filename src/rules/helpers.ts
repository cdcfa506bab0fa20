import type { ServerFact } from "../facts/index.js";
import type { Evidence } from "./types.js";
import { detailOf } from "../facts/probe-error.js";

const UNREACHABLE = new Set(["timeout", "connection-refused", "connection-reset", "network-unreachable", "port-unreachable"]);

/** No answer at all (as opposed to an answer that refused): the server or the path to it is the problem. */
export function isUnreachable(server: ServerFact): boolean {
  return server.error !== undefined && UNREACHABLE.has(server.error.code);
}

/** UDP to the server's port came back as ICMP port unreachable: the host (or a firewall like it) answered that nothing listens. */
export function isPortUnreachable(server: ServerFact): boolean {
  return server.transport === "udp" && server.error?.code === "port-unreachable";
}

/** The server's address as the probe resolved it, for the words an operator checks against. */
export function resolvedWords(server: ServerFact): string {
  const a = server.remoteAddress?.address;
  return a && a.toLowerCase() !== server.host.toLowerCase() ? `${server.host} (${a})` : server.host;
}

export function turnServers(servers: readonly ServerFact[]): ServerFact[] {
  return servers.filter((s) => s.kind === "turn");
}

export function serverPath(server: ServerFact, field?: string): string {
  return field ? `/servers/${server.index}/${field}` : `/servers/${server.index}`;
}

/** The one piece of evidence every per-server rule starts with: the server's own error. */
export function errorEvidence(server: ServerFact): Evidence {
  const e = server.error;
  const code = e?.stunErrorCode !== undefined ? ` (STUN ${e.stunErrorCode}${e.stunReason ? ` ${e.stunReason}` : ""})` : "";
  return { path: serverPath(server, "error"), fact: `${server.url}: ${detailOf(e) ?? "failed"}${code}` };
}

export function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Facts of the URLs (UDP, TCP, TLS, other ports) of one server, grouped by the address they reached
 * (else their host), in report order: a server's own configuration is one finding, not one per URL.
 */
export function byServerAddress(servers: readonly ServerFact[]): ServerFact[][] {
  const groups = new Map<string, ServerFact[]>();
  for (const s of servers) {
    const key = s.remoteAddress?.address ?? s.host;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()];
}
