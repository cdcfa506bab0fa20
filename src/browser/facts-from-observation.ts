import { parseIceUrl } from "../config/ice-url.js";
import { targetIdFor } from "../config/target-id.js";
import type { CandidateFact, GatheringFact } from "../facts/candidates.js";
import type { ConnectivityFact } from "../facts/connectivity.js";
import type { Facts } from "../facts/index.js";
import type { ProbeError } from "../facts/common.js";
import { probeError } from "../facts/probe-error.js";
import { classifyAddress, familyOf } from "../net/address-class.js";
import { analyseCandidateLine, analyseSdp } from "../sdp/analyse.js";
import type { NatFact } from "../facts/nat.js";
import type { ServerFact } from "../facts/servers.js";
import { classicNatType, mappingFromSamples, type MappingSample, type MultiServerMapping } from "../probes/nat/classify.js";
import type { BrowserConnectionObservation, BrowserMappingObservation, BrowserObservation, BrowserServerObservation, BrowserStatsCandidate } from "./observation.js";

function candidateOf(line: string): CandidateFact | undefined {
  try {
    return analyseCandidateLine(line);
  } catch {
    return undefined;
  }
}

function candidatesOfSdp(sdp: string | undefined): CandidateFact[] {
  if (sdp === undefined) return [];
  try {
    return analyseSdp(sdp).candidates;
  } catch {
    return [];
  }
}

/**
 * A browser's icecandidateerror as a probe error. 701 is the browser's own code for "no answer"
 * (unreachable, timed out, lookup failed); the rest are the server's STUN ERROR-CODEs.
 */
function errorOf(error: BrowserServerObservation["errors"][number]): ProbeError {
  const text = (error.errorText ?? "").slice(0, 200);
  const detail = `the browser reported icecandidateerror ${error.errorCode}${text ? ` (${text})` : ""}`;
  if (error.errorCode === 701) return probeError(/lookup/i.test(text) ? "dns-failure" : "timeout", detail);
  const stun = { stunErrorCode: error.errorCode, ...(text ? { stunReason: text } : {}) };
  if (error.errorCode === 401) return probeError("wrong-credentials", detail, stun);
  if (error.errorCode === 403) return probeError("forbidden", detail, stun);
  if (error.errorCode === 486) return probeError("allocation-quota-reached", detail, stun);
  if (error.errorCode === 508) return probeError("insufficient-capacity", detail, stun);
  return probeError("stun-error", detail, stun);
}

interface Gathered {
  fact: GatheringFact;
  server: ServerFact;
  candidates: CandidateFact[];
}

function gatheringOf(server: BrowserServerObservation, taken: Set<string>, index: number): Gathered | undefined {
  let url;
  try {
    url = parseIceUrl(server.url);
  } catch {
    return undefined;
  }
  const serverId = targetIdFor(url, taken);
  taken.add(serverId);
  const parsed = server.candidates.flatMap((line) => candidateOf(line) ?? []);
  const srflx = parsed.filter((c) => c.type === "srflx").length;
  const relay = parsed.filter((c) => c.type === "relay").length;
  const wanted = url.scheme.startsWith("turn") ? relay : srflx;
  // A server's own failure, not the 701s a browser also reports for its other sockets' attempts.
  const error = server.errors.find((e) => e.errorCode !== 701) ?? server.errors[0];
  const fact: GatheringFact = {
    serverId,
    url: server.url,
    ok: wanted > 0,
    durationMs: Math.round(server.durationMs),
    srflx,
    relay,
    timedOut: server.timedOut,
    ...(wanted === 0 && error ? { error: errorOf(error) } : {}),
  };
  const attributed = parsed.map((c) => (c.type === "host" ? c : { ...c, url: server.url, serverId }));
  const reflexive = parsed.find((c) => c.type === "srflx");
  const relayed = parsed.find((c) => c.type === "relay");
  const address = (c: CandidateFact | undefined) => (c?.family ? { address: c.address, port: c.port, family: c.family } : undefined);
  const mapped = address(reflexive);
  const relayedAddress = address(relayed);
  // The page's RTCPeerConnection for this one URL was its probe of the server: what it yielded,
  // or the browser's error for it.
  const serverFact: ServerFact = {
    id: serverId,
    index,
    url: server.url,
    scheme: url.scheme,
    kind: url.scheme.startsWith("turn") ? "turn" : "stun",
    transport: url.transport,
    host: url.host,
    port: url.port,
    source: "signalling",
    hasCredentials: url.scheme.startsWith("turn"),
    ok: wanted > 0,
    durationMs: Math.round(server.durationMs),
    ...(mapped ? { mappedAddress: mapped } : {}),
    ...(relayedAddress ? { relayedAddress } : {}),
    exchanges: [],
    ...(wanted === 0 ? { error: error ? errorOf(error) : probeError(server.timedOut ? "timeout" : "no-candidate", server.timedOut ? "the browser's gathering did not finish in time" : "the browser gathered no candidate through this server") } : {}),
  };
  return { fact, server: serverFact, candidates: attributed };
}

/**
 * The NAT's mapping from one socket's server-reflexive candidates towards several STUN servers,
 * classified as check's own NAT probe classifies them. Filtering cannot be tested from a page.
 */
function natOf(mapping: BrowserMappingObservation | undefined, gathered: readonly Gathered[]): NatFact | undefined {
  if (!mapping) return undefined;
  const parsed = mapping.candidates.flatMap((c) => {
    const candidate = candidateOf(c.candidate);
    return candidate ? [{ url: c.url, candidate }] : [];
  });
  // Several host sockets (interfaces) each get their own mapping: only one socket's answers compare.
  const hostSockets = new Set(parsed.filter((c) => c.candidate.type === "host" && c.candidate.protocol === "udp").map((c) => `${c.candidate.address}|${c.candidate.port}`));
  const reflexive = parsed.filter((c) => c.candidate.type === "srflx" && c.candidate.protocol === "udp");
  const samples: MappingSample[] = [];
  const servers: string[] = [];
  for (const { url, candidate } of reflexive) {
    if (!candidate.family) continue;
    let target;
    try {
      target = parseIceUrl(url);
    } catch {
      continue;
    }
    const family = familyOf(target.host);
    // A host name cannot be compared: the page never learns what it resolved to.
    if (!family) continue;
    samples.push({ server: { address: target.host, port: target.port, family }, mapped: { address: candidate.address, port: candidate.port, family: candidate.family } });
    servers.push(url);
  }
  let result: MultiServerMapping | undefined = hostSockets.size <= 1 ? mappingFromSamples([samples]) : undefined;
  if (samples.length === 0 && hostSockets.size <= 1) {
    // Chromium leaves the event's url empty: then the servers that answered on their own say who
    // was asked, and the browser's own de-duplication says whether they saw one mapping or several.
    const answered = gathered.filter((g) => g.server.kind === "stun" && g.server.ok && familyOf(g.server.host) !== undefined);
    const mappings = new Set(reflexive.map((c) => `${c.candidate.address}|${c.candidate.port}`));
    if (new Set(answered.map((g) => g.server.host)).size >= 2 && mappings.size > 0) {
      servers.push(...answered.map((g) => g.server.url));
      const differing = mappings.size > 1 ? 1 : 0;
      result = { mapping: differing ? "address-and-port-dependent" : "endpoint-independent", conclusiveRounds: 1, differingRounds: differing, portDependenceTested: false };
    }
  }
  const behaviour = result?.mapping ?? "unknown";
  const ids = servers.map((url) => gathered.find((g) => g.fact.url === url)?.fact.serverId).filter((id): id is string => id !== undefined);
  const publicAddress = samples[0]?.mapped;
  return {
    mapping: behaviour,
    filtering: "unknown",
    classic: classicNatType({ mapping: behaviour, filtering: "unknown", noNat: false, udpBlocked: false }),
    ...(publicAddress ? { publicAddress } : {}),
    method: "multi-server",
    servers,
    ...(ids.length === servers.length ? { serverIds: ids } : {}),
    mappingRounds: { total: 1, conclusive: result?.conclusiveRounds ?? 0, differing: result?.differingRounds ?? 0 },
    durationMs: Math.round(mapping.durationMs),
    reasons: [
      ...(behaviour === "unknown" ? (["mapping-inconclusive"] as const) : []),
      ...(result && !result.portDependenceTested && behaviour !== "endpoint-independent" ? (["port-dependence-not-tested"] as const) : []),
      "filtering-not-tested",
    ],
    tests: [],
  };
}

function statsCandidate(c: BrowserStatsCandidate): CandidateFact {
  const family = familyOf(c.address);
  return {
    type: c.candidateType,
    protocol: c.protocol,
    address: c.address,
    port: c.port,
    component: 1,
    // Under mDNS the browser shows its page an empty local address: the name stood for a host address.
    addressClass: c.address === "" ? "mdns" : classifyAddress(c.address),
    ...(family ? { family } : {}),
    ...(c.relayProtocol ? { relayProtocol: c.relayProtocol } : {}),
  };
}

function connectivityOf(connection: BrowserConnectionObservation, via: string): ConnectivityFact {
  return {
    mode: "remote",
    via,
    iceTransportPolicy: connection.policy,
    ok: connection.ok,
    durationMs: Math.round(connection.durationMs),
    iceStates: connection.iceStates.map((s) => ({ state: s.state, atMs: Math.round(s.atMs) })),
    ...(connection.dtlsState !== undefined ? { dtlsState: connection.dtlsState } : {}),
    ...(connection.selectedPair ? { selectedPair: { local: statsCandidate(connection.selectedPair.local), remote: statsCandidate(connection.selectedPair.remote) } } : {}),
    ...(connection.timeToConnectedMs !== undefined ? { timeToConnectedMs: Math.round(connection.timeToConnectedMs) } : {}),
    ...(connection.timeToDataChannelMs !== undefined ? { timeToDataChannelMs: Math.round(connection.timeToDataChannelMs) } : {}),
    ...(connection.rttMs !== undefined ? { rttMs: connection.rttMs } : {}),
    ...(connection.echo ? { echo: connection.echo } : {}),
    ...(connection.stalledIn ? { stalledIn: connection.stalledIn } : {}),
    pairs: [],
    localCandidates: candidatesOfSdp(connection.offerSdp),
    remoteCandidates: candidatesOfSdp(connection.answerSdp),
    ...(connection.ok ? {} : { error: probeError(connection.stalledIn === "signalling" ? "protocol-error" : "timeout", (connection.error ?? `the browser's connection stalled in ${connection.stalledIn ?? "checking"}`).slice(0, 300)) }),
  };
}

/**
 * The facts a visitor's browser measured, in the same shapes as a check's, so the same rules judge
 * them. `via` is the signalling URL the page used. Each server was probed by an RTCPeerConnection
 * of its own: what it yielded (or the browser's icecandidateerror) is that server's fact; serve
 * handed the servers out, so their source is signalling.
 */
export function factsFromObservation(observation: BrowserObservation, via: string): Facts {
  const taken = new Set<string>();
  const gathered: Gathered[] = [];
  for (const s of observation.servers) {
    const g = gatheringOf(s, taken, gathered.length);
    if (g) gathered.push(g);
  }
  const nat = natOf(observation.mapping, gathered);
  const seen = new Set<string>();
  const candidates = gathered
    .flatMap((g) => g.candidates)
    .filter((c) => {
      const key = `${c.type}|${c.protocol}|${c.address}|${c.port}|${c.serverId ?? ""}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return {
    vantage: { kind: "browser", userAgent: observation.userAgent },
    config: {
      usedDefaultServers: false,
      timeoutMs: Math.round(observation.timeoutMs),
      stunCount: gathered.filter((g) => g.fact.url.toLowerCase().startsWith("stun")).length,
      turnCount: gathered.filter((g) => g.fact.url.toLowerCase().startsWith("turn")).length,
    },
    servers: gathered.map((g) => g.server),
    gathering: gathered.map((g) => g.fact),
    candidates,
    ...(nat ? { nat } : {}),
    connectivity: observation.connections.map((c) => connectivityOf(c, via)),
  };
}
