import type { ConnectivityFact, Facts, ServerFact } from "../../src/facts/index.js";
import type { SignallingFact } from "../../src/facts/connectivity.js";

/** A ServerFact as a successful probe would leave it; tests override what they break. */
export function serverFact(overrides: Partial<ServerFact> & Pick<ServerFact, "url">): ServerFact {
  const scheme = (overrides.scheme ?? overrides.url.split(":")[0]) as ServerFact["scheme"];
  const kind = scheme.startsWith("turn") ? "turn" : "stun";
  return {
    id: overrides.url,
    index: 0,
    scheme,
    kind,
    transport: scheme.endsWith("s") ? "tls" : "udp",
    host: "198.51.100.1",
    port: 3478,
    source: "flag",
    hasCredentials: kind === "turn",
    ok: true,
    durationMs: 12,
    rttMs: 4,
    retransmissions: 0,
    mappedAddress: { address: "203.0.113.7", port: 40000, family: 4 },
    exchanges: [{ request: "Binding", outcome: "success", rttMs: 4 }],
    ...(kind === "turn" ? { relayedAddress: { address: "198.51.100.1", port: 50000, family: 4 as const }, allocation: { lifetimeSec: 600, released: true } } : {}),
    ...overrides,
  };
}

/** A run where everything works: one STUN, TURN over UDP, TCP and TLS, all fine. */
export function healthyFacts(): Facts {
  const servers = [
    serverFact({ url: "stun:198.51.100.1:3478" }),
    serverFact({ url: "turn:198.51.100.1:3478?transport=udp" }),
    serverFact({ url: "turn:198.51.100.1:3478?transport=tcp", transport: "tcp" }),
    serverFact({
      url: "turns:turn.example.net:443",
      host: "turn.example.net",
      port: 443,
      tls: {
        servername: "turn.example.net",
        subject: "CN=turn.example.net",
        issuer: "CN=Example CA",
        validFrom: "2026-01-01T00:00:00.000Z",
        validTo: "2027-06-01T00:00:00.000Z",
        daysRemaining: 190,
        chainVerified: true,
        hostnameMatches: true,
      },
    }),
  ].map((s, index) => ({ ...s, index }));
  return {
    config: { usedDefaultServers: false, timeoutMs: 3000, stunCount: 1, turnCount: 3 },
    servers,
    gathering: servers.map((s) => ({
      serverId: s.id,
      url: s.url,
      ok: true,
      durationMs: 40,
      srflx: s.kind === "stun" ? 1 : 0,
      relay: s.kind === "turn" ? 1 : 0,
      timedOut: false,
    })),
    candidates: [
      { type: "host", protocol: "udp", address: "10.0.0.2", port: 40000, component: 1, addressClass: "private", family: 4 },
      { type: "srflx", protocol: "udp", address: "203.0.113.7", port: 40000, relatedAddress: "10.0.0.2", relatedPort: 40000, component: 1, addressClass: "public", family: 4, url: "stun:198.51.100.1:3478" },
    ],
  };
}

/** Replaces server `index` in a copy of the facts. */
export function withServer(facts: Facts, index: number, patch: Partial<ServerFact>): Facts {
  return { ...facts, servers: facts.servers.map((s) => (s.index === index ? { ...s, ...patch } : s)) };
}

/** The remote attempt through a WHIP endpoint that connected; tests add what they look at. */
export function whipRemoteFact(signalling: Partial<SignallingFact> = {}, overrides: Partial<ConnectivityFact> = {}): ConnectivityFact {
  return {
    mode: "remote",
    via: "http://198.51.100.9:8080/whip",
    ok: true,
    durationMs: 900,
    iceStates: [],
    pairs: [],
    localCandidates: [],
    remoteCandidates: [],
    ...overrides,
    signalling: { protocol: "whip", trickle: false, gatheringTimedOut: false, offerCandidates: 2, trickledCandidates: 0, exchanges: [], iceServersFromServer: [], ...signalling },
  };
}
