import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../../facts/common.js";
import type { NatFact, NatTest } from "../../facts/nat.js";
import { UdpStunSocket } from "../../stun/udp-socket.js";
import { bindingTest, showAddress, type BindingOutcome, type NatSocket } from "./binding-test.js";
import { classicNatType, sameTransportAddress } from "./classify.js";
import { isLocalInterfaceAddress, sourceAddressTowards } from "./local-address.js";
import { DEFAULT_LIFETIME_PROBES_SEC, measureBindingLifetime } from "./lifetime.js";
import { MULTI_SERVER_ROUNDS, runMultiServer } from "./multi-server.js";
import { multiServerReasons, rfc5780Reasons, singleServerReasons } from "./reasons.js";
import { runRfc5780, taintsFiltering, usableOtherAddress } from "./rfc5780.js";
import { firstContactPlan, planFromRtt } from "./timing.js";

export { classicNatType, filteringFromRfc5780, mappingFromRfc5780, mappingFromSamples } from "./classify.js";
export { planFromRtt, firstContactPlan } from "./timing.js";

export interface NatServer {
  url: string;
  /** The target's id (ServerFact.id), for the fact's serverIds. */
  id?: string;
  /** Already resolved: this probe does no DNS. */
  address: TransportAddress;
  /** The RTT the server probe measured over UDP: the first contact then needs no long wait. */
  rttMs?: number;
}

/** A server the run's server probe already sent to over UDP without an answer: not waited for again. */
export interface SilentServer {
  url: string;
  id?: string;
  address: TransportAddress;
  /** Sends in all and how long the probe waited. */
  attempts: number;
  waitedMs: number;
  /** An ICMP error ended the wait (see NatTest.icmp). */
  icmp?: NatTest["icmp"];
}

export interface NatOptions {
  /** Bound on the first Binding to each server, before any RTT is known. Default 3000 ms. */
  timeoutMs?: number;
  /** Measure how long an idle binding survives (RFC 5780 section 4.6). Slow: it lasts as long as the longest idle time. */
  natLifetime?: boolean | { probesSec?: readonly number[] };
  /** Rounds of the multi-server method, the first contact included. */
  multiServerRounds?: number;
  /**
   * Servers the server probes found silent over UDP. With no answering server left, the verdict is
   * "UDP blocked" from that evidence at once, instead of a second wait of the whole timeout.
   */
  silent?: readonly SilentServer[];
  /**
   * Servers whose port the server probes found refused (ICMP port unreachable). Such an answer is
   * not silence: with no answering server left, the verdict is not "UDP blocked".
   */
  refused?: readonly SilentServer[];
}

type Answered = BindingOutcome & { mapped: TransportAddress };
type RfcAnswered = Answered & { otherAddress: TransportAddress };
interface AnsweringServer {
  server: NatServer;
  outcome: Answered;
}
type FactBody = Omit<NatFact, "durationMs" | "servers">;

/** IPv4 when any server has an IPv4 address (that is where NATs are), else IPv6; each address once. */
function usableServers(servers: readonly NatServer[]): NatServer[] {
  const family = servers.some((s) => s.address.family === 4) ? 4 : 6;
  const seen = new Set<string>();
  return servers.filter((s) => {
    const key = showAddress(s.address);
    if (s.address.family !== family || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The report's field order: verdict first, evidence last; absent optional fields left out. */
function toFact(body: FactBody, used: readonly { url: string; id?: string }[], durationMs: number): NatFact {
  const servers = used.map((s) => s.url);
  const ids = used.flatMap((s) => (s.id ? [s.id] : []));
  const { mapping, filtering, classic, method, tests, ...optional } = body;
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<NatFact>;
  const { reasons, bindingLifetimeSec, bindingExpiredWithinSec, mappingRounds, note: _note, ...addresses } = present;
  return {
    mapping,
    filtering,
    classic,
    ...addresses,
    method,
    servers,
    ...(ids.length === used.length && ids.length > 0 ? { serverIds: ids } : {}),
    ...(bindingLifetimeSec !== undefined ? { bindingLifetimeSec } : {}),
    ...(bindingExpiredWithinSec !== undefined ? { bindingExpiredWithinSec } : {}),
    ...(mappingRounds ? { mappingRounds } : {}),
    durationMs: Math.round(durationMs),
    ...(reasons && reasons.length > 0 ? { reasons } : {}),
    tests,
  };
}

/**
 * NAT behaviour discovery from one local UDP socket. With an RFC 5780 server: mapping and filtering
 * tests I-III, hairpinning, port preservation. Without one: the mapping from what two or more
 * servers on distinct IPs saw, and the filtering said to be unknown. Every wait is bounded; after
 * the first contact, waits follow the RTT measured in this run.
 */
export async function classifyNat(servers: readonly NatServer[], options: NatOptions = {}): Promise<NatFact> {
  const started = performance.now();
  const candidates = usableServers(servers);
  const silent = options.silent ?? [];
  const refused = options.refused ?? [];
  if (candidates.length === 0 && silent.length + refused.length > 0) {
    const tests: NatTest[] = [...silent, ...refused].map(serverProbeTest);
    const body: FactBody =
      refused.length > 0
        ? { mapping: "unknown", filtering: "unknown", classic: "unknown", method: "none", reasons: ["udp-refused"], tests }
        : { mapping: "unknown", filtering: "unknown", classic: "udp-blocked", method: "none", reasons: ["no-udp-answer"], tests };
    return toFact(body, [...silent, ...refused], performance.now() - started);
  }
  if (candidates.length === 0) {
    return toFact({ mapping: "unknown", filtering: "unknown", classic: "unknown", method: "none", reasons: ["no-udp-server"], tests: [] }, candidates, performance.now() - started);
  }
  const family = candidates[0]!.address.family;
  const sockets: UdpStunSocket[] = [];
  const openProbe = async (sourceIp: string): Promise<NatSocket> => {
    const socket = await UdpStunSocket.open(family);
    sockets.push(socket);
    return { socket, local: { address: sourceIp, port: socket.localAddress.port, family } };
  };
  try {
    const body = await discover(candidates, options, openProbe);
    return toFact(body, candidates, performance.now() - started);
  } finally {
    for (const s of sockets) s.close();
  }
}

/** What the server probe saw of a server that did not answer, as a NAT test. */
function serverProbeTest(s: SilentServer): NatTest {
  const base = { name: "server probe (UDP)", sentTo: s.address, attempts: s.attempts };
  const waited = `${Math.round(s.waitedMs)} ms`;
  if (!s.icmp) return { ...base, result: `no answer in ${waited}` };
  const what = s.icmp === "port-unreachable" ? "ICMP port unreachable" : "ICMP communication prohibited (from a router or firewall)";
  return { ...base, result: `${what} in ${waited}`, icmp: s.icmp };
}

async function discover(candidates: NatServer[], options: NatOptions, openProbe: (sourceIp: string) => Promise<NatSocket>): Promise<FactBody> {
  const family = candidates[0]!.address.family;
  const sourceIp = (await sourceAddressTowards(candidates[0]!.address)) ?? (family === 6 ? "::" : "0.0.0.0");
  let probe = await openProbe(sourceIp);
  const timeoutMs = options.timeoutMs ?? 3000;
  const tests: NatTest[] = [];

  // Test I to every server at once: RTTs, which servers answer, which support RFC 5780.
  // A server whose RTT the server probe measured needs no wait of the whole timeout: its RTT plans it.
  const firstPlan = (s: NatServer) => (s.rttMs !== undefined ? planFromRtt(s.rttMs) : firstContactPlan(timeoutMs));
  const firsts = await Promise.all(candidates.map((s) => bindingTest(probe, { name: "test I (binding)", to: s.address, plan: firstPlan(s) })));
  tests.push(...firsts.map((o) => o.test));
  const answered: AnsweringServer[] = firsts.flatMap((outcome, i) => (outcome.mapped ? [{ server: candidates[i]!, outcome: outcome as Answered }] : []));
  if (answered.length === 0) {
    return { mapping: "unknown", filtering: "unknown", classic: "udp-blocked", method: "none", localAddress: probe.local, reasons: ["no-udp-answer"], tests };
  }

  let rfc = answered.find((a) => usableOtherAddress(a.server.address, a.outcome.otherAddress)) as { server: NatServer; outcome: RfcAnswered } | undefined;
  let testI: Answered = rfc?.outcome ?? answered[0]!.outcome;
  if (rfc) {
    const { server, outcome } = rfc;
    if (candidates.some((c) => c !== server && taintsFiltering(server.address, outcome.otherAddress, c.address))) {
      // Another configured server has just opened, on this socket, a pinhole for an address the
      // filtering tests' answers come from: they would pass whatever the filtering. A fresh socket.
      const fresh = await openProbe(sourceIp);
      const again = await bindingTest(fresh, { name: "test I (binding, fresh socket)", to: server.address, plan: planFromRtt(outcome.rttMs ?? 0) });
      tests.push(again.test);
      if (again.mapped && usableOtherAddress(server.address, again.otherAddress)) {
        probe = fresh;
        testI = again as RfcAnswered;
        rfc = { server, outcome: testI as RfcAnswered };
      } else {
        rfc = undefined;
      }
    }
  }

  const mapped = testI.mapped;
  const noNat = sameTransportAddress(mapped, probe.local) || (mapped.port === probe.local.port && isLocalInterfaceAddress(mapped.address));
  const common = { publicAddress: mapped, localAddress: probe.local, portPreserving: mapped.port === probe.local.port };

  let body: FactBody;
  if (rfc) {
    const r = await runRfc5780(probe, rfc.server.address, rfc.outcome);
    tests.push(...r.tests);
    const mapping = noNat ? "endpoint-independent" : r.mapping;
    body = {
      ...common,
      mapping,
      filtering: r.filtering,
      classic: classicNatType({ mapping, filtering: r.filtering, noNat, udpBlocked: false }),
      hairpinning: r.hairpinning,
      method: "rfc5780",
      reasons: rfc5780Reasons(noNat, mapping, r.filtering),
      tests,
    };
  } else if (new Set(answered.map((a) => a.server.address.address.toLowerCase())).size >= 2) {
    const m = await runMultiServer(
      probe,
      answered.map((a) => ({ address: a.server.address, firstContact: a.outcome })),
      options.multiServerRounds ?? MULTI_SERVER_ROUNDS,
    );
    tests.push(...m.tests);
    const mapping = noNat ? "endpoint-independent" : m.mapping;
    body = {
      ...common,
      mapping,
      filtering: "unknown",
      classic: classicNatType({ mapping, filtering: "unknown", noNat, udpBlocked: false }),
      hairpinning: m.hairpinning,
      method: "multi-server",
      mappingRounds: { total: m.rounds, conclusive: m.conclusiveRounds, differing: m.differingRounds },
      reasons: multiServerReasons(noNat, m),
      tests,
    };
  } else {
    body = {
      ...common,
      mapping: noNat ? "endpoint-independent" : "unknown",
      filtering: "unknown",
      classic: noNat ? "open-internet" : "unknown",
      method: "none",
      reasons: singleServerReasons(noNat),
      tests,
    };
  }

  if (!rfc) {
    const partial = answered.find((a) => a.outcome.otherAddress && !usableOtherAddress(a.server.address, a.outcome.otherAddress));
    if (partial) body.reasons = ["other-address-unusable", ...(body.reasons ?? [])];
  }

  if (options.natLifetime) {
    if (rfc) {
      const probesSec = typeof options.natLifetime === "object" && options.natLifetime.probesSec ? options.natLifetime.probesSec : DEFAULT_LIFETIME_PROBES_SEC;
      const lifetime = await measureBindingLifetime(rfc.server.address, probe.local, planFromRtt(rfc.outcome.rttMs ?? 0), probesSec);
      tests.push(...lifetime.tests);
      if (lifetime.lifetimeSec !== undefined) body.bindingLifetimeSec = lifetime.lifetimeSec;
      if (lifetime.expiredWithinSec !== undefined) body.bindingExpiredWithinSec = lifetime.expiredWithinSec;
      if (lifetime.reason) body.reasons = [...(body.reasons ?? []), lifetime.reason];
    } else {
      body.reasons = [...(body.reasons ?? []), "lifetime-needs-rfc5780"];
    }
  }
  return body;
}
