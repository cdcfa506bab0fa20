import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseIceUrl } from "../../src/config/ice-url.js";
import { targetOf } from "../../src/config/target-id.js";
import type { IceServerTarget } from "../../src/config/types.js";
import type { CandidateFact, ConnectivityFact } from "../../src/facts/index.js";
import { analyseCandidateLine } from "../../src/sdp/analyse.js";
import { probeServer } from "../../src/probes/server-probe.js";
import { farSideAddresses, MAX_FAR_SIDE_ADDRESSES } from "../../src/probes/far-side-addresses.js";
import { probeFarSidePermissions } from "../../src/probes/far-side-permissions.js";
import { pendingConnectivityFact } from "../../src/probes/connect/attempt.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";

// Bounds every wait; no assertion depends on how long anything took.
const TIMEOUT_MS = 3000;

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

const cand = (line: string): CandidateFact => analyseCandidateLine(line) as CandidateFact;

/** A remote attempt's facts as the connect phase leaves them: the answer's candidates, and a peer-reflexive one from the checks. */
function remoteAttempt(extra: CandidateFact[] = []): ConnectivityFact {
  const fact = pendingConnectivityFact("remote", "http://192.0.2.1/api/offer");
  const srflx = cand("candidate:2 1 udp 1686052607 192.0.2.77 30000 typ srflx raddr 10.1.2.3 rport 4000");
  fact.remoteCandidates = [
    cand("candidate:1 1 udp 2130706431 10.1.2.3 4000 typ host"),
    cand("candidate:3 1 udp 2130706431 ::1 4001 typ host"),
    cand("candidate:4 1 udp 2130706431 3f1c8a7e-0d55-4c43-9a43-1f1b2c3d4e5f.local 4002 typ host"),
    srflx,
    ...extra,
  ];
  const local = cand("candidate:9 1 udp 16777215 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0");
  const prflx = cand("candidate:5 1 udp 1845501695 192.0.2.78 31000 typ prflx raddr 0.0.0.0 rport 0");
  fact.pairs = [
    { state: "failed", nominated: false, selected: false, local, remote: srflx, requestsSent: 5, responsesReceived: 0 },
    { state: "failed", nominated: false, selected: false, local, remote: prflx, requestsSent: 2, responsesReceived: 0 },
  ];
  return fact;
}

describe("far-side addresses from a remote attempt", () => {
  test("each IP once with its candidate types, prflx from the checks included; names left out", () => {
    expect(farSideAddresses(remoteAttempt()).map((a) => [a.address, a.family, a.addressClass, a.candidateTypes])).toEqual([
      ["10.1.2.3", 4, "private", ["host"]],
      ["::1", 6, "loopback", ["host"]],
      ["192.0.2.77", 4, "public", ["srflx"]],
      ["192.0.2.78", 4, "public", ["prflx"]],
    ]);
  });
});

describe("CreatePermission for the far side's addresses through coturn with --denied-peer-ip=192.0.2.0-192.0.2.255", () => {
  let coturn: Coturn;
  let target: IceServerTarget;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, extraArgs: ["--denied-peer-ip=192.0.2.0-192.0.2.255"] });
    target = targetOf({ url: parseIceUrl(`turn:127.0.0.1:${coturn.port}`), username: coturn.user, credential: coturn.password, source: "flag" });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("the public far-side addresses get 403, the private one is allowed, IPv6 is not asked on an IPv4 relay; the allocation is released", async () => {
    const server = await probeServer(target, 0, { timeoutMs: TIMEOUT_MS });
    expect(server.ok).toBe(true);
    const fact = await probeFarSidePermissions(target, server, farSideAddresses(remoteAttempt()), { timeoutMs: TIMEOUT_MS });
    expect(fact).toMatchObject({ serverId: target.id, url: target.url.raw, ok: true, notAsked: [{ address: "::1", reason: "other-family" }] });
    expect(fact.error).toBeUndefined();
    expect(fact.peers).toEqual([
      { address: "10.1.2.3", family: 4, addressClass: "private", candidateTypes: ["host"], allowed: true },
      { address: "192.0.2.77", family: 4, addressClass: "public", candidateTypes: ["srflx"], allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" },
      { address: "192.0.2.78", family: 4, addressClass: "public", candidateTypes: ["prflx"], allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" },
    ]);
    expect(fact.exchanges.map((e) => [e.request, e.outcome.replace(/^(error \d+).*/, "$1")])).toEqual([
      ["Allocate", "error 401"],
      ["Allocate (authenticated)", "success"],
      ["CreatePermission (far side host 10.1.2.3)", "success"],
      ["CreatePermission (far side srflx 192.0.2.77)", "error 403"],
      ["CreatePermission (far side prflx 192.0.2.78)", "error 403"],
      ["Refresh (lifetime 0)", "success"],
    ]);
    expect(JSON.stringify(fact)).not.toContain(coturn.password);
  });

  test(`at most ${MAX_FAR_SIDE_ADDRESSES} addresses are asked about; the rest are listed as not asked`, async () => {
    const server = await probeServer(target, 0, { timeoutMs: TIMEOUT_MS });
    const many = Array.from({ length: MAX_FAR_SIDE_ADDRESSES }, (_, i) => cand(`candidate:${20 + i} 1 udp 2130706431 10.9.0.${i + 1} 4000 typ host`));
    const addresses = farSideAddresses(remoteAttempt(many));
    const fact = await probeFarSidePermissions(target, server, addresses, { timeoutMs: TIMEOUT_MS });
    expect(fact.peers.length + (fact.notAsked?.filter((n) => n.reason === "other-family").length ?? 0)).toBe(MAX_FAR_SIDE_ADDRESSES);
    expect(fact.notAsked?.filter((n) => n.reason === "limit").map((n) => n.address)).toEqual(addresses.slice(MAX_FAR_SIDE_ADDRESSES).map((a) => a.address));
    expect(fact.exchanges.at(-1)).toMatchObject({ request: "Refresh (lifetime 0)", outcome: "success" });
  });

  test("a TURN URL nothing listens on: the connect failure is the fact's error, nothing asked", async () => {
    const dead = targetOf({ url: parseIceUrl("turn:127.0.0.1:9?transport=tcp"), username: "u", credential: "p", source: "flag" });
    const server = { ...(await probeServer(target, 0, { timeoutMs: TIMEOUT_MS })), id: dead.id, remoteAddress: { address: "127.0.0.1", port: 9, family: 4 as const } };
    const fact = await probeFarSidePermissions(dead, server, farSideAddresses(remoteAttempt()), { timeoutMs: TIMEOUT_MS });
    expect(fact).toMatchObject({ ok: false, peers: [], error: { code: "connection-refused" } });
  });
});
