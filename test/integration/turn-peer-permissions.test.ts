import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { check } from "../../src/check.js";
import { parseIceUrl } from "../../src/config/ice-url.js";
import { targetOf } from "../../src/config/target-id.js";
import type { IceServerTarget } from "../../src/config/types.js";
import { renderHuman } from "../../src/report/human.js";
import { sessionFromSdp } from "../../src/explain/from-sdp.js";
import { runRules, rules } from "../../src/rules/index.js";
import { startCoturn, turnserverAvailable, TURNSERVER_MISSING, type Coturn } from "../helpers/coturn.js";
import { expectValidReport } from "../helpers/schema.js";
import { fixture } from "../helpers/sessions.js";

// Bounds every wait; no assertion depends on how long anything took.
const TIMEOUT_MS = 3000;

if (!turnserverAvailable()) throw new Error(TURNSERVER_MISSING);

function turn(raw: string, server: Coturn): IceServerTarget {
  return targetOf({ url: parseIceUrl(raw), username: server.user, credential: server.password, source: "flag" });
}

/** Only the per-server probes: no werift gathering, NAT discovery or connection attempts. */
function checkServers(targets: IceServerTarget[]) {
  return check({ resolved: { targets, usedDefaults: false }, timeoutMs: TIMEOUT_MS, gather: false, nat: false, connect: false });
}

const urls = (server: Coturn) => [`turn:127.0.0.1:${server.port}`, `turn:127.0.0.1:${server.port}?transport=tcp`];

describe("coturn with --denied-peer-ip=10.0.0.0-10.255.255.255", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, extraArgs: ["--denied-peer-ip=10.0.0.0-10.255.255.255"] });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("the relay works, the permission to 10.0.0.1 is refused with 403, and the finding names it", async () => {
    const report = await checkServers(urls(coturn).map((u) => turn(u, coturn)));
    expectValidReport(report);
    expect(JSON.stringify(report)).not.toContain(coturn.password);
    for (const server of report.servers) {
      expect(server.error).toBeUndefined();
      expect(server).toMatchObject({ ok: true, allocation: { released: true } });
      expect(server.peerPermissions).toEqual([
        { peerClass: "private", address: "10.0.0.1", allowed: false, stunErrorCode: 403, stunReason: "Forbidden IP" },
      ]);
      expect(server.exchanges.map((e) => [e.request, e.outcome.replace(/^(error \d+).*/, "$1")])).toEqual([
        ["Allocate", "error 401"],
        ["Allocate (authenticated)", "success"],
        ["CreatePermission (private peer 10.0.0.1)", "error 403"],
        ["Refresh (lifetime 0)", "success"],
      ]);
    }
    const denied = report.findings.filter((f) => f.id === "turn-denies-private-peers");
    expect(denied.map((f) => [f.severity, f.evidence[0]?.path])).toEqual([
      ["warning", "/servers/0/peerPermissions/0"],
      ["warning", "/servers/1/peerPermissions/0"],
    ]);
    expect(denied[0]?.evidence[0]?.fact).toMatch(/CreatePermission for 10\.0\.0\.1 answered 403/);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(renderHuman(report, { color: false })).toMatch(/refuses to relay to private peers \(10\.0\.0\.1: 403/);
  });

  test("with a far side that offers only its private address, the same facts make it an error", async () => {
    const report = await checkServers([turn(urls(coturn)[0]!, coturn)]);
    const session = sessionFromSdp({ single: fixture("sdp/werift-answer-private-host-only.sdp") });
    const findings = runRules(rules, { ...report, session });
    expect(findings.filter((f) => f.id === "turn-denies-private-peers").map((f) => f.severity)).toEqual(["error"]);
  });
});

describe("coturn with its default peer policy", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
  }, 30_000);
  afterAll(async () => {
    await coturn?.stop();
  });

  test("the permission to 10.0.0.1 is granted and nothing is reported", async () => {
    const report = await checkServers(urls(coturn).map((u) => turn(u, coturn)));
    expectValidReport(report);
    for (const server of report.servers) {
      expect(server.peerPermissions).toEqual([{ peerClass: "private", address: "10.0.0.1", allowed: true }]);
    }
    expect(report.findings.map((f) => f.id)).not.toContain("turn-denies-private-peers");
  });
});
