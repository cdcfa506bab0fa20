import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { check } from "../../src/check.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { startStunResponder, type StunResponder } from "../../src/serve/stun-responder.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";
import { expectValidReport } from "../helpers/schema.js";

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

/**
 * The ICE servers a signalling server hands out are what its own clients will use, so check probes
 * them like configured ones (source "signalling"): a WHIP server's Link headers and a Pipecat
 * /start iceConfig, here from rtc-doctor serve --share-ice-servers with a real coturn behind them.
 */

let coturn: Coturn;
let serve: RunningServe;
let clientStun: StunResponder;
const CREDENTIAL = "shared-s3cr3t-pass";

beforeAll(async () => {
  coturn = await startCoturn({ tls: false, user: "shared-user", password: CREDENTIAL });
  // The client's own STUN server: anything but the servers serve shares, so the dedupe stays out of the way.
  clientStun = await startStunResponder({ host: "127.0.0.1", port: 0 });
  serve = await startServe({
    host: "127.0.0.1",
    port: 0,
    stun: { port: 0 },
    shareIceServers: true,
    iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}?transport=udp`, username: "shared-user", credential: CREDENTIAL }],
  });
});
afterAll(async () => {
  await serve?.close();
  await clientStun?.close();
  await coturn?.stop();
});

async function run(path: string, protocol: "whip" | "pipecat" | "auto") {
  const learned: string[] = [];
  const report = await check({
    stun: [`stun:127.0.0.1:${clientStun.address.port}`],
    gather: false,
    nat: false,
    connect: false,
    remote: { url: `${serve.url}${path}`, protocol },
    timeoutMs: 3000,
    connectTimeoutMs: 10_000,
    onSecrets: (values) => learned.push(...values),
  });
  expectValidReport(report);
  return { report, learned };
}

describe("ICE servers from the signalling server get per-server probes", () => {
  test.each([
    ["WHIP Link headers", "/whip", "whip"],
    ["Pipecat /start iceConfig", "/start", "auto"],
  ] as const)("%s: the shared TURN URL is probed (Allocate through coturn), source signalling, credential only reported as a secret", async (_name, path, protocol) => {
    const { report, learned } = await run(path, protocol);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.ok, JSON.stringify(remote?.error)).toBe(true);
    expect(remote?.signalling?.iceServersFromServer).toEqual([`turn:127.0.0.1:${coturn.port}?transport=udp`]);

    expect(report.servers.map((s) => [s.index, s.source, s.kind])).toEqual([
      [0, "flag", "stun"],
      [1, "signalling", "turn"],
    ]);
    const shared = report.servers[1];
    expect(shared).toMatchObject({ url: `turn:127.0.0.1:${coturn.port}?transport=udp`, ok: true, hasCredentials: true });
    expect(shared?.relayedAddress?.address).toBe("127.0.0.1");
    expect(learned).toContain(CREDENTIAL);
    expect(JSON.stringify(report)).not.toContain(CREDENTIAL);
    expect(JSON.stringify(report)).not.toContain("shared-user");
  });
});
