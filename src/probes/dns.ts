import { lookup, Resolver } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbeError } from "../facts/common.js";
import type { DnsFact } from "../facts/servers.js";
import { probeError } from "../facts/probe-error.js";

/**
 * Resolves a host the way the WebRTC stack on this machine would: through the system resolver
 * (getaddrinfo: /etc/hosts, search domains, nsswitch). getaddrinfo folds every failure into one
 * ENOTFOUND, so on failure the name is asked again with direct DNS queries to say which failure it was.
 */
export async function probeDns(host: string, timeoutMs: number): Promise<DnsFact> {
  if (isIPv4(host) || isIPv6(host)) {
    return { host, resolved: false, ok: true, ipv4: isIPv4(host) ? [host] : [], ipv6: isIPv6(host) ? [host] : [], durationMs: 0 };
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const system = await withTimeout(lookup(host, { all: true, verbatim: true }), timeoutMs).catch((error: unknown) => error as Error);

  if (!(system instanceof Error)) {
    const ipv4 = unique(system.filter((a) => a.family === 4).map((a) => a.address));
    const ipv6 = unique(system.filter((a) => a.family === 6).map((a) => a.address));
    if (ipv4.length + ipv6.length > 0) return { host, resolved: true, ok: true, ipv4, ipv6, durationMs: elapsed() };
  }
  const remaining = Math.max(1, timeoutMs - elapsed());
  const error = system instanceof TimeoutError ? timeoutFailure(host, timeoutMs) : await explainFailure(host, remaining);
  return { host, resolved: true, ok: false, ipv4: [], ipv6: [], durationMs: elapsed(), error };
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function timeoutFailure(host: string, ms: number): ProbeError {
  return probeError("dns-failure", `resolving '${host}' did not finish within ${ms} ms`);
}

/** Asks for A and AAAA directly to tell NXDOMAIN from "no address records" from an unreachable resolver. */
async function explainFailure(host: string, timeoutMs: number): Promise<ProbeError> {
  const resolver = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / 2)), tries: 1 });
  try {
    const results = await withTimeout(
      Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]),
      timeoutMs,
    );
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as NodeJS.ErrnoException).code : "ok"));
    return probeError("dns-failure", describeDnsFailure(host, codes));
  } catch {
    return timeoutFailure(host, timeoutMs);
  } finally {
    resolver.cancel();
  }
}

/** `codes`: the outcome of the A and the AAAA query ("ok" when it returned records). */
export function describeDnsFailure(host: string, codes: (string | undefined)[]): string {
  if (codes.includes("ENOTFOUND")) return `the host name '${host}' does not exist (NXDOMAIN)`;
  if (codes.includes("ok")) {
    return `'${host}' has DNS records, but the system resolver returned no address for it`;
  }
  if (codes.every((c) => c === "ENODATA")) return `'${host}' exists but has no A or AAAA record`;
  if (codes.includes("ETIMEOUT")) return `no DNS answer for '${host}' (the resolver timed out)`;
  if (codes.includes("ECONNREFUSED")) return `the DNS resolver refused the query for '${host}' (no DNS server reachable)`;
  if (codes.includes("ESERVFAIL")) return `the DNS server failed to answer for '${host}' (SERVFAIL)`;
  return `'${host}' could not be resolved (${codes.filter(Boolean).join(", ") || "unknown error"})`;
}
