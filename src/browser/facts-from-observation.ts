import { parseIceUrl } from "../config/ice-url.js";
import { targetIdFor } from "../config/target-id.js";
import type { CandidateFact, GatheringFact } from "../facts/candidates.js";
import type { ConnectivityFact } from "../facts/connectivity.js";
import type { Facts } from "../facts/index.js";
import type { ProbeError } from "../facts/common.js";
import { probeError } from "../facts/probe-error.js";
import { classifyAddress, familyOf } from "../net/address-class.js";
import { analyseCandidateLine, analyseSdp } from "../sdp/analyse.js";
import type { BrowserConnectionObservation, BrowserObservation, BrowserServerObservation, BrowserStatsCandidate } from "./observation.js";

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

function gatheringOf(server: BrowserServerObservation, taken: Set<string>): { fact: GatheringFact; candidates: CandidateFact[] } | undefined {
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
  return { fact, candidates: attributed };
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
 * them. `via` is the signalling URL the page used. Servers were not probed on their own (a page
 * cannot), so `servers` is empty and the gathering carries each server's evidence.
 */
export function factsFromObservation(observation: BrowserObservation, via: string): Facts {
  const taken = new Set<string>();
  const gathered = observation.servers.flatMap((s) => gatheringOf(s, taken) ?? []);
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
    servers: [],
    gathering: gathered.map((g) => g.fact),
    candidates,
    connectivity: observation.connections.map((c) => connectivityOf(c, via)),
  };
}
