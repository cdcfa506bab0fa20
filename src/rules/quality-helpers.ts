import type { ConnectivityFact, Facts, QualityFact } from "../facts/index.js";

/** A connected path whose quality was measured, with its place in the report. */
export interface MeasuredPath {
  fact: ConnectivityFact;
  quality: QualityFact;
  index: number;
  /** JSON pointer of the path's quality fact. */
  base: string;
}

/**
 * Paths whose figures are the network's: relays (through the TURN server) and the remote peer. The
 * host and srflx loopback paths never leave this machine (or its NAT's hairpin): their figures are
 * this machine's own, the baseline relays are compared with, and no verdict on a network.
 */
export function networkPaths(facts: Facts): MeasuredPath[] {
  return measuredPaths(facts).filter((p) => isNetworkPath(p.fact));
}

export function isNetworkPath(fact: ConnectivityFact): boolean {
  return fact.mode === "loopback-relay" || fact.mode === "remote";
}

/**
 * This machine's own loopbacks (host, srflx) measured in the same run: what the machine itself
 * managed while the network paths were measured, all of it on one event loop and the same CPUs.
 */
export function machinePaths(facts: Facts): MeasuredPath[] {
  return measuredPaths(facts).filter((p) => p.fact.mode === "loopback-host" || p.fact.mode === "loopback-srflx");
}

/**
 * A network path's figure is this machine's when one of its own loopbacks was at least half as bad
 * in the same run (a busy machine delays and drops on every path alike): no verdict on the network.
 */
export function machineAsBad(facts: Facts, badness: (q: QualityFact) => number | undefined, path: MeasuredPath): boolean {
  const own = badness(path.quality);
  if (own === undefined) return false;
  return machinePaths(facts).some((m) => (badness(m.quality) ?? 0) >= own / 2);
}

export function measuredPaths(facts: Facts): MeasuredPath[] {
  return (facts.connectivity ?? []).flatMap((fact, index) =>
    fact.ok && fact.quality?.measured ? [{ fact, quality: fact.quality, index, base: `/connectivity/${index}/quality` }] : [],
  );
}

/** "the relay via turn:x:3478?transport=udp", "the connection to https://..." */
export function pathWords(fact: ConnectivityFact): string {
  if (fact.mode === "remote") return `the connection to ${fact.via ?? "the far peer"}`;
  const kind = fact.mode === "loopback-relay" ? "relay path" : fact.mode === "loopback-srflx" ? "server-reflexive path" : "host path";
  return `the ${kind}${fact.via ? ` via ${fact.via}` : ""}`;
}

export function pathSubject(p: MeasuredPath): string {
  return `/connectivity/${p.index}`;
}

export function kbps(value: number): string {
  return value >= 1000 ? `${Math.round(value / 100) / 10} Mbit/s` : `${Math.round(value)} kbit/s`;
}
