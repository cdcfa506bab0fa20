import { createServer as createTcpServer, type Server } from "node:net";
import { createSocket } from "node:dgram";
import { createTurnClient } from "werift";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseIceUrl } from "../../src/config/ice-url.js";
import { targetOf } from "../../src/config/target-id.js";
import type { IceServerTarget } from "../../src/config/types.js";
import type { ServerFact } from "../../src/facts/index.js";
import { probeServer, probeServers } from "../../src/probes/server-probe.js";
import { gatherThroughServers } from "../../src/probes/gather.js";
import { probeDns } from "../../src/probes/dns.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";
import { startUdpStunTarget } from "../helpers/udp-stun-target.js";

// Generous bounds: every wait is bounded by these, and no assertion depends on how long anything took.
const TIMEOUT_MS = 3000;
const SHORT_TIMEOUT_MS = 600;

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

const secrets = new Set<string>();

function stun(raw: string): IceServerTarget {
  return targetOf({ url: parseIceUrl(raw), source: "flag" });
}

function turn(raw: string, server: Coturn, password = server.password): IceServerTarget {
  secrets.add(password);
  return targetOf({ url: parseIceUrl(raw), username: server.user, credential: password, source: "flag" });
}

/** Credentials must never reach a fact: every fact a test produces goes through here. */
function expectNoSecrets(value: unknown): void {
  const json = JSON.stringify(value);
  for (const secret of secrets) expect(json).not.toContain(secret);
}

async function probe(target: IceServerTarget, options: { timeoutMs?: number; tlsCa?: string } = {}): Promise<ServerFact> {
  const fact = await probeServer(target, 0, { timeoutMs: options.timeoutMs ?? TIMEOUT_MS, tlsCa: options.tlsCa });
  expectNoSecrets(fact);
  return fact;
}

/** A loopback UDP port with nothing behind it (bound, noted, released). */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function deadTcpPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

/** Repeats `attempt` (paced, bounded) until `done` holds; returns the last result. */
async function pollUntil<T>(attempt: () => Promise<T>, done: (value: T) => boolean, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("probes against a real coturn (UDP, TCP, TLS)", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: true });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("DNS: localhost resolves through the system resolver; IP literals need no resolution", async () => {
    const name = await probeDns("localhost", TIMEOUT_MS);
    expect(name).toMatchObject({ host: "localhost", resolved: true, ok: true });
    expect(name.ipv4).toContain("127.0.0.1");
    expect(await probeDns("127.0.0.1", TIMEOUT_MS)).toMatchObject({ resolved: false, ok: true, ipv4: ["127.0.0.1"] });
  });

  test("STUN Binding over UDP: mapped address, RTT, no retransmission, SOFTWARE", async () => {
    const fact = await probe(stun(`stun:127.0.0.1:${coturn.port}`));
    expect(fact.error).toBeUndefined();
    expect(fact).toMatchObject({ ok: true, kind: "stun", transport: "udp", retransmissions: 0 });
    expect(fact.mappedAddress).toMatchObject({ address: "127.0.0.1", family: 4 });
    expect(fact.rttMs).toBeGreaterThanOrEqual(0);
    expect(fact.software).toMatch(/coturn/i);
    expect(fact.exchanges).toEqual([expect.objectContaining({ request: "Binding", outcome: "success" })]);
  });

  test("STUN Binding over TCP (?transport=tcp) and TLS (stuns:) with the test CA", async () => {
    const tcp = await probe(stun(`stun:127.0.0.1:${coturn.port}?transport=tcp`));
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    const tls = await probe(stun(`stuns:localhost:${coturn.tlsPort}`), { tlsCa: coturn.caPem });
    expect(tls).toMatchObject({ ok: true, transport: "tls" });
    expect(tls.tls).toMatchObject({ chainVerified: true, hostnameMatches: true });
  });

  test.each([
    ["udp", () => `turn:127.0.0.1:${coturn.port}`],
    ["tcp", () => `turn:127.0.0.1:${coturn.port}?transport=tcp`],
    ["tls", () => `turns:localhost:${coturn.tlsPort}`],
  ])("TURN Allocate over %s: relayed and mapped address, allocation released", async (transport, url) => {
    const fact = await probe(turn(url(), coturn), { tlsCa: coturn.caPem });
    expect(fact.error).toBeUndefined();
    expect(fact).toMatchObject({ ok: true, kind: "turn", transport, realm: coturn.realm, hasCredentials: true });
    expect(fact.relayedAddress).toMatchObject({ address: "127.0.0.1", family: 4 });
    expect(fact.mappedAddress).toMatchObject({ address: "127.0.0.1" });
    expect(fact.allocation).toMatchObject({ released: true });
    expect(fact.allocation?.lifetimeSec).toBeGreaterThan(0);
    expect(fact.exchanges.map((e) => [e.request, e.outcome])).toEqual([
      ["Allocate", "error 401 Unauthorized (challenge)"],
      ["Allocate (authenticated)", "success"],
      ["CreatePermission (private peer 10.0.0.1)", "success"],
      ["Refresh (lifetime 0)", "success"],
    ]);
    // coturn's defaults deny no private range: the relay may send to a bot in the same VPC.
    expect(fact.peerPermissions).toEqual([{ peerClass: "private", address: "10.0.0.1", allowed: true }]);
  });

  test("TLS fact: verifies with the test CA and names localhost", async () => {
    const fact = await probe(turn(`turns:localhost:${coturn.tlsPort}`, coturn), { tlsCa: coturn.caPem });
    expect(fact.tls).toMatchObject({
      servername: "localhost",
      subject: "localhost",
      issuer: "rtc-doctor test CA",
      chainVerified: true,
      hostnameMatches: true,
      selfSigned: false,
    });
    expect(fact.tls?.verifyError).toBeUndefined();
    expect(fact.tls?.subjectAltNames).toEqual(["DNS:localhost", "IP Address:127.0.0.1"]);
    expect(fact.tls?.daysRemaining).toBeGreaterThan(20);
    expect(Date.parse(fact.tls?.validTo ?? "")).toBeGreaterThan(Date.parse(fact.tls?.validFrom ?? ""));
  });

  test("TLS without the CA: the chain does not verify, the relay itself still works", async () => {
    const fact = await probe(turn(`turns:localhost:${coturn.tlsPort}`, coturn));
    expect(fact.ok).toBe(true);
    expect(fact.tls).toMatchObject({ chainVerified: false, hostnameMatches: true, verifyError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  test.each([
    ["udp", () => `turn:127.0.0.1:${coturn.port}`],
    ["tcp", () => `turn:127.0.0.1:${coturn.port}?transport=tcp`],
    ["tls", () => `turns:localhost:${coturn.tlsPort}`],
  ])("wrong password over %s: the server's 401, read in one round trip, not a timeout", async (_transport, url) => {
    const fact = await probe(turn(url(), coturn, "not-the-password"), { tlsCa: coturn.caPem });
    expect(fact.ok).toBe(false);
    expect(fact.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
    expect(fact.error?.message).toMatch(/username or password/);
    // Two requests, two answers: the challenge and the rejection. A timeout would show as "timeout".
    expect(fact.exchanges.map((e) => e.outcome)).toEqual(["error 401 Unauthorized (challenge)", "error 401 Unauthorized"]);
    expect(fact.allocation).toBeUndefined();
  });

  test("a UDP port with nothing behind it: the kernel's ICMP port unreachable ends the probe at its first send", async () => {
    const port = await deadUdpPort();
    for (const target of [stun(`stun:127.0.0.1:${port}`), turn(`turn:127.0.0.1:${port}`, coturn)]) {
      // A bound far past the test's own: a probe that waited for silence would hang the test.
      const fact = await probe(target, { timeoutMs: 120_000 });
      expect(fact.ok).toBe(false);
      expect(fact.error?.code).toBe("port-unreachable");
      expect(fact.error?.detail).toMatch(/ICMP port unreachable \(ECONNREFUSED\) after 1 send/);
      expect(fact.exchanges).toEqual([expect.objectContaining({ outcome: "port-unreachable", retransmissions: 0 })]);
      expect(fact.rttMs).toBeUndefined();
    }
  });

  test("a UDP server that stays silent: timeout after retransmissions, within the bound", async () => {
    const silent = await startUdpStunTarget();
    try {
      for (const target of [stun(`stun:127.0.0.1:${silent.port}`), turn(`turn:127.0.0.1:${silent.port}`, coturn)]) {
        const fact = await probe(target, { timeoutMs: SHORT_TIMEOUT_MS });
        expect(fact.ok).toBe(false);
        expect(fact.error?.code).toBe("timeout");
        expect(fact.error?.message).toMatch(/no answer .* after \d+ tries in \d+ ms/);
        expect(fact.exchanges).toEqual([expect.objectContaining({ outcome: "timeout" })]);
        expect(fact.exchanges[0]?.retransmissions).toBeGreaterThan(0);
      }
    } finally {
      await silent.stop();
    }
  });

  test("TCP and TLS to a closed port: connection refused", async () => {
    const port = await deadTcpPort();
    const tcp = await probe(stun(`stun:127.0.0.1:${port}?transport=tcp`));
    expect(tcp.error?.code).toBe("connection-refused");
    const tls = await probe(turn(`turns:127.0.0.1:${port}`, coturn));
    expect(tls.error?.code).toBe("connection-refused");
  });

  test("a port that does not speak TLS: named as not TLS, with what it spoke", async () => {
    const server: Server = createTcpServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const fact = await probe(turn(`turns:127.0.0.1:${port}`, coturn));
      expect(fact.ok).toBe(false);
      expect(fact.error?.code).toBe("not-tls");
      expect(fact.error?.detail).toMatch(/'HTTP\/1\.1 400 Bad Request' \(HTTP\), not TLS/);
    } finally {
      server.close();
    }
  });

  test("probeServers runs every URL and keeps the configured order", async () => {
    const facts = await probeServers(
      [stun(`stun:127.0.0.1:${coturn.port}`), turn(`turn:127.0.0.1:${coturn.port}?transport=tcp`, coturn)],
      { timeoutMs: TIMEOUT_MS },
    );
    expectNoSecrets(facts);
    expect(facts.map((f) => [f.index, f.url, f.ok])).toEqual([
      [0, `stun:127.0.0.1:${coturn.port}`, true],
      [1, `turn:127.0.0.1:${coturn.port}?transport=tcp`, true],
    ]);
  });

  test("werift gathers srflx through STUN and relay through TURN over UDP, TCP and TLS, each naming its URL", async () => {
    const urls = {
      stun: `stun:127.0.0.1:${coturn.port}`,
      udp: `turn:127.0.0.1:${coturn.port}`,
      tcp: `turn:127.0.0.1:${coturn.port}?transport=tcp`,
      tls: `turns:localhost:${coturn.tlsPort}`,
    };
    const result = await gatherThroughServers(
      [stun(urls.stun), turn(urls.udp, coturn), turn(urls.tcp, coturn), turn(urls.tls, coturn)],
      { timeoutMs: TIMEOUT_MS, tlsCa: coturn.caPem },
    );
    expectNoSecrets(result);
    expect(result.gathering.map((g) => [g.url, g.ok, g.timedOut])).toEqual(Object.values(urls).map((u) => [u, true, false]));
    expect(result.candidates.filter((c) => c.type === "srflx").map((c) => c.url)).toEqual([urls.stun]);
    const relays = result.candidates.filter((c) => c.type === "relay");
    expect(relays.map((c) => [c.url, c.relayProtocol, c.address]).sort()).toEqual(
      [
        [urls.udp, "udp", "127.0.0.1"],
        [urls.tcp, "tcp", "127.0.0.1"],
        [urls.tls, "tls", "127.0.0.1"],
      ].sort(),
    );
    for (const host of result.candidates.filter((c) => c.type === "host")) expect(host.url).toBeUndefined();
  });

  test("werift without the test CA gets no TLS relay, like a browser facing an untrusted certificate", async () => {
    const url = `turns:localhost:${coturn.tlsPort}`;
    const result = await gatherThroughServers([turn(url, coturn)], { timeoutMs: TIMEOUT_MS });
    expect(result.gathering).toEqual([expect.objectContaining({ url, ok: false, relay: 0 })]);
  });

  test("stuns: is not gathered with werift, and the reason is given", async () => {
    const result = await gatherThroughServers([stun(`stuns:localhost:${coturn.tlsPort}`)], { timeoutMs: TIMEOUT_MS });
    expect(result.gathering[0]).toMatchObject({ ok: false, error: { message: expect.stringMatching(/plain STUN over UDP/) } });
    expect(result.candidates).toEqual([]);
  });
});

describe("coturn with --no-udp", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, udp: false });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("TURN over TCP relays; TURN over UDP gets ICMP port unreachable (no UDP listener), not a timeout", async () => {
    const [udp, tcp] = await probeServers(
      [turn(`turn:127.0.0.1:${coturn.port}`, coturn), turn(`turn:127.0.0.1:${coturn.port}?transport=tcp`, coturn)],
      { timeoutMs: SHORT_TIMEOUT_MS },
    );
    expectNoSecrets([udp, tcp]);
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    expect(udp).toMatchObject({ ok: false, transport: "udp", error: { code: "port-unreachable" } });
  });

  test("werift falls back to TCP for a UDP TURN URL (after ~6 s), and the relay says so; a shorter bound times out", async () => {
    const url = `turn:127.0.0.1:${coturn.port}`;
    const [patient, bounded] = await Promise.all([
      gatherThroughServers([turn(url, coturn)], { timeoutMs: 15_000 }),
      gatherThroughServers([turn(url, coturn)], { timeoutMs: SHORT_TIMEOUT_MS }),
    ]);
    expect(patient.candidates).toEqual([expect.objectContaining({ type: "relay", url, relayProtocol: "tcp" })]);
    expect(bounded.gathering).toEqual([expect.objectContaining({ url, ok: false, timedOut: true, error: expect.objectContaining({ code: "timeout" }) })]);
  }, 30_000);
});

describe("coturn with a per-user quota of 1", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: true, userQuota: 1 });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  const tcpUrl = () => turn(`turn:127.0.0.1:${coturn.port}?transport=tcp`, coturn);

  test("TCP and TLS: two probe runs back to back both allocate, the first allocation was released", async () => {
    for (const raw of [`turn:127.0.0.1:${coturn.port}?transport=tcp`, `turns:localhost:${coturn.tlsPort}`]) {
      const first = await probe(turn(raw, coturn), { tlsCa: coturn.caPem });
      const second = await probe(turn(raw, coturn), { tlsCa: coturn.caPem });
      expect(first.allocation).toEqual({ lifetimeSec: expect.any(Number), released: true });
      expect(second.error).toBeUndefined();
      expect(second.allocation?.released).toBe(true);
    }
  });

  test("while another allocation holds the quota, the probe reports the server's 486 after one retry", async () => {
    // werift's own client holds the one allocation (over TCP, so that closing it frees the quota at once).
    const holder = await createTurnClient(
      { address: ["127.0.0.1", coturn.port], username: coturn.user, password: coturn.password },
      { transport: "tcp" },
    );
    try {
      const fact = await probe(turn(`turn:127.0.0.1:${coturn.port}`, coturn));
      expect(fact.error).toMatchObject({ code: "allocation-quota-reached", stunErrorCode: 486 });
      // One retry, because a 486 may come from an allocation released a moment ago (coturn's 1 s linger).
      expect(fact.exchanges.map((e) => e.outcome)).toEqual([
        "error 401 Unauthorized (challenge)",
        expect.stringMatching(/^error 486 .*\(retrying once in \d+ ms\)$/),
        expect.stringMatching(/^error 486/),
      ]);
    } finally {
      await holder.close();
    }
    expect((await pollUntil(() => probe(tcpUrl()), (f) => f.ok, 5000)).ok).toBe(true);
  });

  // coturn 4.6 keeps a UDP allocation released with LIFETIME 0 for one more second before it frees
  // its quota (refresh_relay_connection clamps the lifetime to 1 s); TCP/TLS allocations end with the
  // connection. So UDP is checked by polling, bounded far below the 600 s an unreleased one would hold.
  test("UDP: the released allocation frees the quota within seconds, not after its 10-minute lifetime", async () => {
    const first = await probe(turn(`turn:127.0.0.1:${coturn.port}`, coturn));
    expect(first.allocation?.released).toBe(true);
    const next = await pollUntil(() => probe(tcpUrl()), (f) => f.ok, 5000);
    expect(next.error).toBeUndefined();
  });

  test("werift's gather releases its UDP allocation too (werift alone would hold it for 10 minutes)", async () => {
    await pollUntil(() => probe(tcpUrl()), (f) => f.ok, 5000);
    const result = await gatherThroughServers([turn(`turn:127.0.0.1:${coturn.port}`, coturn)], { timeoutMs: TIMEOUT_MS });
    expect(result.gathering[0]).toMatchObject({ ok: true, relay: 1 });
    expect(result.candidates).toEqual([expect.objectContaining({ type: "relay", relayProtocol: "udp" })]);
    const next = await pollUntil(() => probe(tcpUrl()), (f) => f.ok, 5000);
    expect(next.error).toBeUndefined();
  });
});

describe("coturn with a self-signed certificate", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: true, selfSigned: true, udp: false });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("chainVerified false, selfSigned true, with Node's verify error", async () => {
    const fact = await probe(turn(`turns:localhost:${coturn.tlsPort}`, coturn));
    expect(fact.tls).toMatchObject({ chainVerified: false, selfSigned: true, verifyError: "DEPTH_ZERO_SELF_SIGNED_CERT", hostnameMatches: true });
  });
});
