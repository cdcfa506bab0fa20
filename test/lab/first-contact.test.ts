import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { reportFrom } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { requireLabTools, ROOT, notRootReason, runIn, startLab, type Lab } from "./lab.js";

/**
 * The shared first-contact wait, for real: behind a UDP-blocking firewall a TCP answer from the
 * TURN server bounds the UDP wait, and NAT discovery waits no second time; on a slow path (500 ms
 * RTT added by a forwarder, TCP as well as UDP) the UDP answers still count.
 */
const DELAY_MS = 250;
const SLOW = "198.51.100.1:4478";
const skip = notRootReason();

describe.skipIf(skip !== undefined)("one first-contact wait, in the NAT lab", () => {
  let lab: Lab | undefined;
  let forwarder: ChildProcess | undefined;

  beforeAll(async () => {
    requireLabTools();
    if (!existsSync(`${ROOT}bundle/main.js`)) throw new Error("bundle/ is missing: run `npm run build` (npm test does it)");
    lab = startLab({
      coturns: [{ name: "plain", ips: ["198.51.100.1"] }],
      sites: [
        { name: "cone", profile: "port-restricted-cone" },
        { name: "blocked", profile: "udp-blocked" },
      ],
    });
    const [host, port] = SLOW.split(":") as [string, string];
    const child = spawn("ip", ["netns", "exec", lab.wan, process.execPath, `${ROOT}test/lab/delay-forwarder.mjs`, host, port, "198.51.100.1", "3478", String(DELAY_MS)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    forwarder = child;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once("line", (line) => (line.startsWith("ready") ? resolve() : reject(new Error(`forwarder said '${line}'`))));
      child.once("exit", (code) => reject(new Error(`the delay forwarder exited (${code}) before it was ready`)));
    });
  }, 120_000);
  afterAll(() => {
    forwarder?.kill();
    lab?.down();
  });

  async function checkFrom(site: string, args: string[]): Promise<Report> {
    const r = await runIn(lab!.sites[site]!.client, process.execPath, [`${ROOT}bin/rtc-doctor.js`, "check", "--json", "--no-connect", "--no-gather", "--timeout", "3000", ...args], 60_000);
    const report = reportFrom(r);
    expectValidReport(report);
    return report;
  }

  it("UDP blocked, TURN over TCP answers: the UDP wait ends at the bound TCP set, and NAT discovery reuses that silence", async () => {
    const report = await checkFrom("blocked", ["--stun", "stun:198.51.100.1:3478", "--turn", "turn:198.51.100.1:3478?transport=tcp", "--username", "u", "--credential", "p"]);
    const [udp, tcp] = report.servers;
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    expect(udp).toMatchObject({ ok: false, error: { code: "timeout" }, udpWaitCut: { streamServerId: tcp?.id } });
    expect(report.nat).toMatchObject({ classic: "udp-blocked", serverIds: [udp?.id] });
    expect(report.nat?.tests.map((t) => t.name)).toEqual(["server probe (UDP)"]);
    expect(report.findings.map((f) => f.id)).toContain("udp-blocked");
  });

  it("a slow path (+500 ms RTT on UDP and TCP) is not called blocked: the UDP answers arrive and count", async () => {
    const report = await checkFrom("cone", ["--stun", `stun:${SLOW}`, "--turn", `turn:${SLOW}?transport=tcp`, "--username", "u", "--credential", "p"]);
    const [udp, tcp] = report.servers;
    expect(tcp).toMatchObject({ ok: true, transport: "tcp" });
    expect(udp).toMatchObject({ ok: true, transport: "udp" });
    expect(udp?.udpWaitCut).toBeUndefined();
    // The forwarder holds each packet DELAY_MS each way: the answer really was slow to come.
    expect(udp!.durationMs).toBeGreaterThanOrEqual(2 * DELAY_MS);
    expect(report.nat?.classic).not.toBe("udp-blocked");
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
  });
});
