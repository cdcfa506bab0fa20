import type { Facts, NatFact, ServerFact, TransportAddress } from "../facts/index.js";
import type { Evidence } from "./types.js";
import { serverPath, turnServers } from "./helpers.js";
import { detailOf } from "../facts/probe-error.js";

export function isDependentMapping(nat: NatFact): boolean {
  return nat.mapping === "address-dependent" || nat.mapping === "address-and-port-dependent";
}

export function workingTurn(facts: Facts, transports?: readonly ServerFact["transport"][]): ServerFact[] {
  return turnServers(facts.servers).filter((s) => s.ok && (!transports || transports.includes(s.transport)));
}

function show(a: TransportAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Each NAT test that got a mapped address: where it was sent, and what the server saw. */
export function mappedPortEvidence(nat: NatFact): Evidence[] {
  return nat.tests.flatMap((t, i) =>
    t.mappedAddress ? [{ path: `/nat/tests/${i}`, fact: `${t.name}: sent from ${t.localAddress ? show(t.localAddress) : "the probe socket"} to ${show(t.sentTo)}, seen as ${show(t.mappedAddress)}` }] : [],
  );
}

/** Each NAT test that got nothing back. */
export function silentTestEvidence(nat: NatFact): Evidence[] {
  return nat.tests.flatMap((t, i) => (t.responseFrom ? [] : [{ path: `/nat/tests/${i}`, fact: `${t.name} to ${show(t.sentTo)}: ${t.result}` }]));
}

export function turnEvidence(facts: Facts): Evidence[] {
  const turn = turnServers(facts.servers);
  if (turn.length === 0) return [{ path: "/config", fact: "no TURN URL is configured" }];
  return turn.map((s) => ({
    path: serverPath(s, s.ok ? undefined : "error"),
    fact: s.ok ? `${s.url}: relay allocated` : `${s.url}: ${detailOf(s.error) ?? "failed"}`,
  }));
}

export function classification(nat: NatFact): string {
  return `${nat.mapping} mapping, ${nat.filtering} filtering (classic: ${nat.classic}; method: ${nat.method})`;
}
