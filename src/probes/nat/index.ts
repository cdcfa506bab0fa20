import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../../facts/common.js";
import type { NatFact, NatTest } from "../../facts/nat.js";
import { UdpStunSocket } from "../../stun/udp-socket.js";
import { bindingTest, showAddress, type BindingOutcome, type NatSocket } from "./binding-test.js";
import { classicNatType, sameTransportAddress } from "./classify.js";
import { isLocalInterfaceAddress, sourceAddressTowards } from "./local-address.js";
import { DEFAULT_LIFETIME_PROBES_SEC, measureBindingLifetime } from "./lifetime.js";
import { MULTI_SERVER_ROUNDS, runMultiServer, type AnsweredServer } from "./multi-server.js";
import { runRfc5780, taintsFiltering, usableOtherAddress } from "./rfc5780.js";
import { firstContactPlan, planFromRtt } from "./timing.js";

export { classicNatType, filteringFromRfc5780, mappingFromRfc5780, mappingFromSamples } from "./classify.js";
export { planFromRtt, firstContactPlan } from "./timing.js";

export interface NatServer {
  url: string;
  /** Already resolved: this probe does no DNS. */
  address: TransportAddress;
}

export interface NatOptions {
  /** Bound on the first Binding to each server, before any RTT is known. Default 3000 ms. */
  timeoutMs?: number;
  /** Measure how long an idle binding survives (RFC 5780 section 4.6). Slow: it lasts as long as the longest idle time. */
  natLifetime?: boolean | { probesSec?: readonly number[] };
  /** Rounds of the multi-server method, the first contact included. */
  multiServerRounds?: number;
}

const SETTLE_FILTERING =
  "To learn the filtering, configure a STUN server that supports RFC 5780 (it answers with OTHER-ADDRESS and honours CHANGE-REQUEST), " +
  "e.g. coturn listening on two IP addresses of one host (listening-ip twice; the alternate port is listening-port + 1).";

/** One socket, and every server it may talk to: the family of the first server decides. */
function usableServers(servers: readonly NatServer[]): NatServer[] {
  const family = servers.find((s) => s.address.family === 4) ? 4 : 6;
  const seen = new Set<string>();
  return servers.filter((s) => {
    const key = showAddress(s.address);
    if (s.address.family !== family || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Answered = { server: NatServer; outcome: BindingOutcome & { mapped: TransportAddress } };

/**
 * NAT behaviour discovery from one local UDP socket. With an RFC 5780 server: mapping and filtering
 * tests I-III, hairpinning, port preservation. Without one: the mapping from what two or more
 * servers on distinct IPs saw, and the filtering said to be unknown. Every wait is bounded; after
 * the first contact, waits follow the RTT measured in this run.
 */
export async function classifyNat(servers: readonly NatServer[], options: NatOptions = {}): Promise<NatFact> {
  const started = performance.now();
  const candidates = usableServers(servers);
  const base = { servers: candidates.map((s) => s.url) };
  // Field order as the report shows it: verdict first, evidence last.
  const finish = (f: Omit<NatFact, "durationMs" | "servers">): NatFact => {
    const optional = <K extends keyof NatFact>(key: K) => (f[key as keyof typeof f] === undefined ? {} : { [key]: f[key as keyof typeof f] });
    return {
      mapping: f.mapping,
      filtering: f.filtering,
      classic: f.classic,
      ...optional("hairpinning"),
      ...optional("portPreserving"),
      ...optional("publicAddress"),
      ...optional("localAddress"),
      method: f.method,
      ...base,
      ...optional("bindingLifetimeSec"),
      durationMs: Math.round(performance.now() - started),
      ...optional("note"),
      tests: f.tests,
    };
  };

  if (candidates.length === 0) {
    return finish({
      mapping: "unknown",
      filtering: "unknown",
      classic: "unknown",
      method: "none",
      note: "No STUN server reachable over UDP was configured, so the NAT could not be tested.",
      tests: [],
    });
  }

  const family = candidates[0]!.address.family;
  const socket = await UdpStunSocket.open(family);
  const closeLater: UdpStunSocket[] = [socket];
  try {
    const sourceIp = (await sourceAddressTowards(candidates[0]!.address)) ?? (family === 6 ? "::" : "0.0.0.0");
    let probe: NatSocket = { socket, local: { address: sourceIp, port: socket.localAddress.port, family } };
    const timeoutMs = options.timeoutMs ?? 3000;
    const tests: NatTest[] = [];

    const firsts = await Promise.all(candidates.map((s) => bindingTest(probe, { name: "test I (binding)", to: s.address, plan: firstContactPlan(timeoutMs) })));
    tests.push(...firsts.map((o) => o.test));
    const answered: Answered[] = [];
    firsts.forEach((outcome, i) => {
      if (outcome.mapped) answered.push({ server: candidates[i]!, outcome: outcome as Answered["outcome"] });
    });

    if (answered.length === 0) {
      return finish({
        mapping: "unknown",
        filtering: "unknown",
        classic: "udp-blocked",
        method: "none",
        localAddress: probe.local,
        note:
          `No STUN server answered a Binding request over UDP (${candidates.length} tried, ${timeoutMs} ms each): ` +
          "UDP to them is blocked on this path, or they are all down. Only TURN over TCP or TLS can carry media from here.",
        tests,
      });
    }

    let rfc = answered.find((a) => usableOtherAddress(a.server.address, a.outcome.otherAddress));
    let testI: Answered["outcome"] = rfc?.outcome ?? answered[0]!.outcome;
    if (rfc && candidates.some((c) => c !== rfc!.server && taintsFiltering(rfc!.server.address, rfc!.outcome.otherAddress!, c.address))) {
      // Another configured server has just opened, on this socket, a pinhole for an address the
      // filtering tests' answers come from: they would pass whatever the filtering. A fresh socket.
      const fresh = await UdpStunSocket.open(family);
      closeLater.push(fresh);
      const freshProbe: NatSocket = { socket: fresh, local: { ...probe.local, port: fresh.localAddress.port } };
      const again = await bindingTest(freshProbe, { name: "test I (binding, fresh socket)", to: rfc.server.address, plan: planFromRtt(rfc.outcome.rttMs ?? 0) });
      tests.push(again.test);
      if (again.mapped && usableOtherAddress(rfc.server.address, again.otherAddress)) {
        probe = freshProbe;
        testI = again as Answered["outcome"];
      } else {
        rfc = undefined;
      }
    }

    const mapped = testI.mapped;
    const noNat = sameTransportAddress(mapped, probe.local) || (mapped.port === probe.local.port && isLocalInterfaceAddress(mapped.address));
    const common = {
      publicAddress: mapped,
      localAddress: probe.local,
      portPreserving: mapped.port === probe.local.port,
    };

    let fact: Omit<NatFact, "durationMs" | "servers">;
    if (rfc && usableOtherAddress(rfc.server.address, testI.otherAddress)) {
      const r = await runRfc5780(probe, rfc.server.address, testI as Answered["outcome"] & { otherAddress: TransportAddress });
      tests.push(...r.tests);
      const mapping = noNat ? "endpoint-independent" : r.mapping;
      fact = {
        ...common,
        mapping,
        filtering: r.filtering,
        classic: classicNatType({ mapping, filtering: r.filtering, noNat, udpBlocked: false }),
        hairpinning: r.hairpinning,
        method: "rfc5780",
        note: rfc5780Note(noNat, mapping, r.filtering, rfc.server.url),
        tests,
      };
    } else if (new Set(answered.map((a) => a.server.address.address.toLowerCase())).size >= 2) {
      const servers: AnsweredServer[] = answered.map((a) => ({ address: a.server.address, firstContact: a.outcome }));
      const m = await runMultiServer(probe, servers, options.multiServerRounds ?? MULTI_SERVER_ROUNDS);
      tests.push(...m.tests);
      const mapping = noNat ? "endpoint-independent" : m.mapping;
      fact = {
        ...common,
        mapping,
        filtering: "unknown",
        classic: classicNatType({ mapping, filtering: "unknown", noNat, udpBlocked: false }),
        hairpinning: m.hairpinning,
        method: "multi-server",
        note: multiServerNote(noNat, m, answered.length),
        tests,
      };
    } else {
      fact = {
        ...common,
        mapping: noNat ? "endpoint-independent" : "unknown",
        filtering: "unknown",
        classic: noNat ? "open-internet" : "unknown",
        method: "none",
        note:
          (noNat ? "No NAT: the server saw this host's own address. " : "") +
          `Only one STUN address answered (${answered[0]!.server.url}) and it does not support RFC 5780, so the mapping could not be compared across destinations. ` +
          "Configure a second STUN server on another IP address to learn the mapping. " +
          SETTLE_FILTERING,
        tests,
      };
    }

    if (options.natLifetime) {
      const lifetime = await lifetimeOf(rfc, probe.local, options.natLifetime);
      fact.tests.push(...lifetime.tests);
      if (lifetime.lifetimeSec !== undefined) fact.bindingLifetimeSec = lifetime.lifetimeSec;
      fact.note = [fact.note, lifetime.note].filter(Boolean).join(" ");
    }
    return finish(fact);
  } finally {
    for (const s of closeLater) s.close();
  }
}

async function lifetimeOf(rfc: Answered | undefined, local: TransportAddress, option: NatOptions["natLifetime"]) {
  if (!rfc) {
    return { tests: [], note: "The binding lifetime needs an RFC 5780 server (RESPONSE-PORT); none was configured." } as { lifetimeSec?: number; tests: NatTest[]; note: string };
  }
  const probesSec = typeof option === "object" && option.probesSec ? option.probesSec : DEFAULT_LIFETIME_PROBES_SEC;
  return measureBindingLifetime(rfc.server.address, local, planFromRtt(rfc.outcome.rttMs ?? 0), probesSec);
}

function rfc5780Note(noNat: boolean, mapping: NatFact["mapping"], filtering: NatFact["filtering"], url: string): string | undefined {
  const parts: string[] = [];
  if (noNat) {
    parts.push(
      filtering === "endpoint-independent" || filtering === "unknown"
        ? "No NAT: the server saw this host's own address."
        : "No NAT, but a stateful firewall filters unsolicited inbound UDP like a NAT would.",
    );
  }
  if (mapping === "unknown") parts.push(`The mapping tests against ${url}'s other address got no usable answer, so the mapping is unknown.`);
  if (filtering === "unknown") parts.push(`${url} did not answer CHANGE-REQUEST from the address it announced, so the filtering is unknown.`);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

function multiServerNote(noNat: boolean, m: Awaited<ReturnType<typeof runMultiServer>>, servers: number): string {
  const parts: string[] = [];
  if (noNat) parts.push("No NAT: the servers saw this host's own address.");
  else if (m.mapping === "unknown") {
    parts.push(`The mapped addresses from ${servers} servers gave no clear verdict (${m.differingRounds} of ${m.conclusiveRounds} conclusive rounds differed).`);
  } else {
    parts.push(
      `Mapping from ${servers} servers on distinct IP addresses over ${m.rounds} rounds: the mapped address ${m.mapping === "endpoint-independent" ? "was the same for every server" : "changed with the destination"} in ${m.mapping === "endpoint-independent" ? m.conclusiveRounds - m.differingRounds : m.differingRounds} of ${m.conclusiveRounds} conclusive rounds.`,
    );
    if (m.mapping !== "endpoint-independent" && !m.portDependenceTested) {
      parts.push("Whether it also changes with the destination port alone was not tested (that needs two servers on one IP); address-and-port-dependent is assumed.");
    }
  }
  parts.push("The filtering was not tested: none of the servers supports RFC 5780.", SETTLE_FILTERING);
  return parts.join(" ");
}
