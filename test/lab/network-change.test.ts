import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { expectValidReport } from "../helpers/schema.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";
import { forwardTcp, labSite, notRootReason, readdressCommand, requireLabTools, ROOT, runIn, startLab, type Lab, type LabSite } from "./lab.js";

/**
 * Issue 12's network change: a client behind a home NAT (port-restricted, MASQUERADE) in a live
 * call with `rtc-doctor serve` on a public address, when the router's public address changes (a
 * new DHCP lease, a CGNAT re-mapping: the client's mapped address moves). MASQUERADE forgets every
 * mapping of the address that went away, so the client's packets leave from the new one, and
 * nothing the far end sends to the old one arrives. rtc-doctor must see the path dead, and the ICE
 * restart through WHIP (PATCH with If-Match "*") must bring the call back.
 */

const PORT = "8787";
const ENTRY = ".lab/build/test/lab/restart-entry.js";
const skipReason = notRootReason();

function inNs(ns: string, ...command: string[]): void {
  const r = spawnSync("ip", ["netns", "exec", ns, ...command], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command.join(" ")} in ${ns} failed: ${r.stderr}`);
}

/** The fact as a report carries it: checked against the schema inside a real (explain) report. */
function expectValidInReport(fact: ConnectivityFact): void {
  const r = spawnSync(process.execPath, [`${ROOT}bin/rtc-doctor.js`, "explain", "--json", `${ROOT}test/fixtures/sdp/werift-answer-private-host-only.sdp`], { encoding: "utf8" });
  expectValidReport({ ...(JSON.parse(r.stdout) as object), connectivity: [fact] });
}

describe.skipIf(skipReason !== undefined)("NAT lab: the client's public address changes under a live call", () => {
  let lab: Lab;
  let serve: ServeProcess | undefined;
  const site = (name: string): LabSite => labSite(lab, name);

  beforeAll(() => {
    requireLabTools();
    const tsc = spawnSync(`${ROOT}node_modules/.bin/tsc`, ["-p", "test/lab/tsconfig.restart-entry.json"], { cwd: ROOT, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`compiling the lab's restart entry failed:\n${tsc.stdout}${tsc.stderr}`);
    lab = startLab({
      coturns: [],
      sites: [
        // serve on a public address (203.0.113.2, routed): its host candidate is reachable from anywhere.
        { name: "pub", profile: "no-nat" },
        { name: "home", profile: "port-restricted-cone" },
      ],
    });
    inNs(site("home").router, "ip", "route", "add", "203.0.113.0/24", "via", site("pub").publicIp);
  }, 60_000);
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
  });
  afterAll(() => {
    lab?.down();
  });

  /** A live call to serve, the home router's address moved to `newIp`, then the restart. */
  async function callThroughChange(newIp: string, extra: { deadOn?: string[]; watchMs?: number } = {}): Promise<ConnectivityFact> {
    const pub = site("pub");
    const home = site("home");
    serve = await startServeProcess(["--host", "0.0.0.0", "--port", PORT, "--no-stun-port"], { prefix: ["ip", "netns", "exec", pub.client] });
    const input = { url: `http://${pub.clientIp}:${PORT}/whip`, what: `the home router's public address moved to ${newIp}`, commands: [readdressCommand(lab, home, newIp)], ...extra };
    const result = await runIn(home.client, process.execPath, [`${ROOT}${ENTRY}`, JSON.stringify(input)], 150_000);
    expect(result.stderr).toBe("");
    const fact = JSON.parse(result.stdout) as ConnectivityFact;
    console.log(`[nat-lab] ${JSON.stringify(fact.restart)}`);
    expectValidInReport(fact);
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact.ok).toBe(true);
    return fact;
  }

  it("the path is seen dead, and the ICE restart through WHIP brings the call back", { timeout: 180_000 }, async () => {
    const fact = await callThroughChange("198.51.100.99");
    const restart = fact.restart;
    const change = restart?.networkChange;
    expect(change?.seenDead, JSON.stringify(restart)).toBe(true);
    // The far end's data to the old address is what vanishes: the echoes say so first.
    expect(change?.echoLostAfterMs).toBe(change?.seenDeadAfterMs);
    expect(restart).toMatchObject({ requestedBy: "whip-patch", status: 200, accepted: true, reconnected: true, echo: { sent: 3, received: 3 } });
  });

  it(
    "waiting for the client's own consent checks (RFC 7675) to fail is too late: the far end has given the call up",
    { timeout: 180_000 },
    async () => {
      const fact = await callThroughChange("198.51.100.98", { deadOn: ["consent", "ice-failed"], watchMs: 90_000 });
      const restart = fact.restart;
      const change = restart?.networkChange;
      // The far end answers the client's consent checks from the new address, so they only start to
      // fail once it ended the session (its own consent to the old address expired): long after the
      // echoes stopped.
      expect(change?.seenDead, JSON.stringify(restart)).toBe(true);
      expect(change?.consentUnansweredAfterMs).toBe(change?.seenDeadAfterMs);
      expect(change?.echoLostAfterMs).toBeLessThan(change?.consentUnansweredAfterMs ?? 0);
      expect(restart).toMatchObject({ requestedBy: "whip-patch", status: 404, accepted: false, refusal: { code: "session-gone" } });
    },
  );
});

describe.skipIf(skipReason !== undefined)("NAT lab: a relayed call (both ends behind symmetric NATs) when the client's public address changes", () => {
  let lab: Lab;
  let serve: ServeProcess | undefined;
  const TURN = "turn:198.51.100.3:3478?transport=udp";

  beforeAll(() => {
    requireLabTools();
    const tsc = spawnSync(`${ROOT}node_modules/.bin/tsc`, ["-p", "test/lab/tsconfig.restart-entry.json"], { cwd: ROOT, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`compiling the lab's restart entry failed:\n${tsc.stdout}${tsc.stderr}`);
    lab = startLab({ coturns: [{ name: "turn", ips: ["198.51.100.3"] }], sites: [{ name: "srv", profile: "symmetric" }, { name: "home", profile: "symmetric" }] });
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    lab?.down();
  });

  it("the restart brings the relayed call back", { timeout: 180_000 }, async () => {
    const srv = lab.sites["srv"];
    const home = lab.sites["home"];
    if (!srv || !home) throw new Error("lab sites missing");
    forwardTcp(srv, PORT);
    serve = await startServeProcess(["--host", "0.0.0.0", "--port", PORT, "--no-stun-port", "--turn", TURN, "--username", "u", "--credential", "p"], { prefix: ["ip", "netns", "exec", srv.client] });
    const input = {
      url: `http://${srv.publicIp}:${PORT}/whip`,
      what: "the home router's public address moved to 198.51.100.97",
      commands: [readdressCommand(lab, home, "198.51.100.97")],
      iceServers: [{ urls: [TURN], username: "u", credential: "p" }],
    };
    const result = await runIn(home.client, process.execPath, [`${ROOT}${ENTRY}`, JSON.stringify(input)], 150_000);
    expect(result.stderr).toBe("");
    const fact = JSON.parse(result.stdout) as ConnectivityFact;
    console.log(`[nat-lab] relayed: before ${JSON.stringify(fact.selectedPair)}; restart ${JSON.stringify(fact.restart)}`);
    expectValidInReport(fact);
    expect(fact.ok, JSON.stringify(fact.error)).toBe(true);
    // Two symmetric NATs: only a relay carries the call, before and after.
    expect([fact.selectedPair?.local.type, fact.selectedPair?.remote.type]).toContain("relay");
    expect(fact.restart?.networkChange?.seenDead).toBe(true);
    expect(fact.restart).toMatchObject({ accepted: true, reconnected: true, echo: { sent: 3, received: 3 } });
    expect([fact.restart?.selectedPair?.local.type, fact.restart?.selectedPair?.remote.type]).toContain("relay");
  });
});
