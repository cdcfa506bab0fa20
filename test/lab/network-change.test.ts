import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ConnectivityFact } from "../../src/facts/index.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";
import { notRootReason, readdressCommand, requireLabTools, ROOT, runIn, startLab, type Lab, type LabSite } from "./lab.js";

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

describe.skipIf(skipReason !== undefined)("NAT lab: the client's public address changes under a live call", () => {
  let lab: Lab;
  let serve: ServeProcess | undefined;
  const site = (name: string): LabSite => {
    const s = lab.sites[name];
    if (!s) throw new Error(`lab site ${name} missing`);
    return s;
  };

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

  it("the path is seen dead, and the ICE restart through WHIP brings the call back", { timeout: 180_000 }, async () => {
    const pub = site("pub");
    const home = site("home");
    serve = await startServeProcess(["--host", "0.0.0.0", "--port", PORT, "--no-stun-port"], { prefix: ["ip", "netns", "exec", pub.client] });
    const newIp = "198.51.100.99";
    const commands = [readdressCommand(lab, home, newIp)];
    const input = { url: `http://${pub.clientIp}:${PORT}/whip`, what: `the home router's public address moved from ${home.publicIp} to ${newIp}`, commands };
    const result = await runIn(home.client, process.execPath, [`${ROOT}${ENTRY}`, JSON.stringify(input)], 150_000);
    expect(result.stderr).toBe("");
    const fact = JSON.parse(result.stdout) as ConnectivityFact;
    console.log(`[nat-lab] restart fact: ${JSON.stringify(fact.restart)}`);
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact.ok).toBe(true);
    const restart = fact.restart;
    const change = restart?.networkChange;
    expect(change, JSON.stringify(restart)).toBeDefined();
    expect(change?.seenDead).toBe(true);
    expect(change?.seenDeadAfterMs).toBeGreaterThan(0);
    expect(restart).toMatchObject({ requestedBy: "whip-patch", status: 200, accepted: true, reconnected: true });
    expect(restart?.echo?.received).toBeGreaterThan(0);
    console.log(`[nat-lab] network change: ${JSON.stringify(change)}; reconnected ${restart?.timeToReconnectMs} ms after the restart, echoes ${JSON.stringify(restart?.echo)}`);
  });
});
