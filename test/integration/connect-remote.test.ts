import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { connectRemote, type RemoteOptions } from "../../src/probes/connect/remote.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 5000, connectTimeoutMs: 10_000, echoCount: 3, iceServers: [] };

function expectConnected(fact: ConnectivityFact): void {
  expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
  expect(fact.ok).toBe(true);
  expect(fact.stalledIn).toBeUndefined();
  expect(fact.dtlsState).toBe("connected");
  expect(fact.echo).toEqual({ sent: 3, received: 3 });
  expect(fact.pairs.some((p) => p.selected && p.nominated)).toBe(true);
  expect(fact.signalling?.answer?.candidates.length).toBeGreaterThan(0);
  expect(fact.remoteCandidates).toEqual(fact.signalling?.answer?.candidates);
}

describe("remote attempts against rtc-doctor serve (werift echo peers, own STUN responder)", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0, stun: { port: 0 } });
  });
  afterAll(async () => {
    await serve?.close();
  });

  const run = (overrides: Partial<RemoteOptions> & Pick<RemoteOptions, "url" | "protocol">) => connectRemote({ ...BASE, ...overrides });

  test("WHIP: 201 + Location, answer candidates recorded, DELETE ends the session", async () => {
    const fact = await run({ url: `${serve.url}/whip`, protocol: "whip" });
    expectConnected(fact);
    expect(fact.mode).toBe("remote");
    expect(fact.via).toBe(`${serve.url}/whip`);
    const sig = fact.signalling;
    expect(sig?.protocol).toBe("whip");
    expect(sig?.exchanges.map((e) => `${e.step} ${e.method} ${e.status}`)).toEqual(["start OPTIONS 204", "offer POST 201", "delete DELETE 200"]);
    expect(sig?.exchanges[1]?.headers["location"]).toMatch(/\/whip\/sessions\/[0-9a-f]+$/);
    expect(sig?.sessionDeleted).toBe(true);
    expect(sig?.offer?.media.map((m) => [m.kind, m.direction])).toContainEqual(["audio", "sendonly"]);
    expect(sig?.offer?.dataChannel).toBe(true);
    expect(sig?.offerCandidates).toBeGreaterThan(0);
    expect(sig?.gatheringTimedOut).toBe(false);
    expect(serve.sessionCount()).toBe(0);
  });

  test("Pipecat: JSON offer to /api/offer, {sdp, type, pc_id} answer", async () => {
    const fact = await run({ url: `${serve.url}/api/offer`, protocol: "pipecat" });
    expectConnected(fact);
    expect(fact.signalling?.protocol).toBe("pipecat");
    expect(fact.signalling?.exchanges.map((e) => `${e.step} ${e.method} ${e.status}`)).toEqual(["offer POST 200"]);
  });

  test("Pipecat with /start: the session's offer URL is used", async () => {
    const fact = await run({ url: `${serve.url}/start`, protocol: "auto" });
    expectConnected(fact);
    expect(fact.signalling?.protocol).toBe("pipecat");
    expect(fact.signalling?.detectedBy).toMatch(/\/start/);
    expect(fact.signalling?.exchanges[1]?.url).toMatch(/\/sessions\/[0-9a-f]+\/api\/offer$/);
  });

  test("auto: recognises WHIP at /whip and Pipecat behind a bare base URL", async () => {
    const whip = await run({ url: `${serve.url}/whip`, protocol: "auto" });
    expectConnected(whip);
    expect(whip.signalling?.protocol).toBe("whip");
    expect(whip.signalling?.detectedBy).toMatch(/201 Created/);

    const base = await run({ url: serve.url, protocol: "auto" });
    expectConnected(base);
    expect(base.signalling?.protocol).toBe("pipecat");
    expect(base.signalling?.detectedBy).toMatch(/api\/offer/);
  });

  test.each(["whip", "pipecat"] as const)("--trickle over %s: the offer leaves without candidates, they follow by PATCH", async (protocol) => {
    const url = protocol === "whip" ? `${serve.url}/whip` : `${serve.url}/api/offer`;
    const fact = await run({ url, protocol, trickle: true });
    expectConnected(fact);
    const sig = fact.signalling;
    expect(sig?.trickle).toBe(true);
    expect(sig?.offerCandidates).toBe(0);
    expect(sig?.trickledCandidates).toBeGreaterThan(0);
    const patches = sig?.exchanges.filter((e) => e.step === "trickle") ?? [];
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.every((e) => e.status === (protocol === "whip" ? 204 : 200))).toBe(true);
  });

  test("token and headers are sent but never recorded; query values are blanked", async () => {
    const fact = await run({ url: `${serve.url}/whip?token=s3cr3t-query`, protocol: "whip", token: "s3cr3t-token", headers: { "X-Api-Key": "s3cr3t-header" } });
    expectConnected(fact);
    const json = JSON.stringify(fact);
    for (const secret of ["s3cr3t-query", "s3cr3t-token", "s3cr3t-header"]) expect(json).not.toContain(secret);
    expect(fact.via).toBe(`${serve.url}/whip?token=[redacted]`);
  });

  test("nothing listening: stalled in signalling with a one-line reason", async () => {
    const other = await startServe({ host: "127.0.0.1", port: 0 });
    const url = `${other.url}/whip`;
    await other.close();
    const fact = await run({ url, protocol: "whip" });
    expect(fact.ok).toBe(false);
    expect(fact.stalledIn).toBe("signalling");
    expect(fact.error?.code).toBe("connection-refused");
  });

  test("a server that refuses: the status and the body's first line are the evidence", async () => {
    const fact = await run({ url: `${serve.url}/nowhere`, protocol: "whip" });
    expect(fact.stalledIn).toBe("signalling");
    expect(fact.error?.message).toMatch(/answered 404 instead of 201 Created: nothing at \/nowhere/);
  });
});
