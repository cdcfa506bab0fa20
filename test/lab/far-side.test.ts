import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { aiortcMissing, startAiortcFarEnd, type AiortcFarEnd } from "../helpers/aiortc-far-end.js";
import { BIN } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { labSite, requireLabTools, notRootReason, runIn, startLab, type Lab, type LabSite, forwardTcp } from "./lab.js";

/**
 * The far side's own network, built for real: aiortc (Debian's python3-aiortc) answering as a
 * Pipecat SmallWebRTC bot, `rtc-doctor check --signal` from a client elsewhere on the lab's internet.
 * - A bot on a public address whose router drops every inbound UDP packet, with only its TCP
 *   signalling port open (a security group or host firewall that opens only that port).
 * - A bot behind a NAT given a STUN server it cannot reach: aiortc gathers before it answers, so its
 *   answer comes 5 s late and without a server-reflexive candidate.
 * Each has a healthy counterpart that must give no error finding.
 */

const PORT = "8787";
const COTURN = "198.51.100.3";
const STUN = `stun:${COTURN}:3478`;
// No host owns this address on the lab's internet: packets to it vanish, as to a dead server.
const DEAD_STUN = "stun:198.51.100.9:3478";
// Bounds for each step; no assertion depends on a duration. The signalling bound is left at its default.
const CHECK = ["--json", "--no-nat", "--no-gather", "--no-connect", "--stun", STUN, "--timeout", "3000", "--connect-timeout", "8000"];

const skipReason = notRootReason();

function inNs(ns: string, ...command: string[]): void {
  const r = spawnSync("ip", ["netns", "exec", ns, ...command], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command.join(" ")} in ${ns} failed: ${r.stderr}`);
}

describe.skipIf(skipReason !== undefined)("NAT lab: the far side's network, with aiortc as a Pipecat bot", () => {
  let lab: Lab;
  let farEnd: AiortcFarEnd | undefined;
  let firewalled: string | undefined;

  const site = (name: string): LabSite => labSite(lab, name);

  beforeAll(() => {
    requireLabTools();
    const noAiortc = aiortcMissing();
    if (noAiortc) throw new Error(noAiortc);
    lab = startLab({
      coturns: [{ name: "turn", ips: [COTURN] }],
      sites: [
        // The bot on a public address (a cloud VM with its public IP on the interface): 203.0.113.2.
        { name: "pub", profile: "no-nat" },
        // Clients: a home NAT (port-restricted) and one that admits anyone (full cone).
        { name: "home", profile: "port-restricted-cone" },
        { name: "open", profile: "full-cone" },
        // The bot behind a NAT, its signalling port forwarded.
        { name: "bot", profile: "port-restricted-cone" },
      ],
    });
    // The lab's internet routes 203.0.113.0/24 to its router; the other routers reach it through it.
    for (const name of ["home", "open"]) inNs(site(name).router, "ip", "route", "add", "203.0.113.0/24", "via", site("pub").publicIp);
    const bot = site("bot");
    forwardTcp(bot, PORT);
  });
  afterEach(async () => {
    await farEnd?.stop();
    farEnd = undefined;
    if (firewalled) inNs(firewalled, "iptables", "-D", "FORWARD", "-i", "n0", "-o", "n1", "-p", "udp", "-j", "DROP");
    firewalled = undefined;
  });
  afterAll(() => {
    lab?.down();
  });

  /** The bot's router lets no UDP in: only the TCP signalling port reaches it. */
  function dropInboundUdp(name: string): void {
    inNs(site(name).router, "iptables", "-A", "FORWARD", "-i", "n0", "-o", "n1", "-p", "udp", "-j", "DROP");
    firewalled = site(name).router;
  }

  async function startBot(name: string, iceServers: { urls: string }[]): Promise<string> {
    const s = site(name);
    farEnd = await startAiortcFarEnd({ port: Number(PORT), iceServers, prefix: ["ip", "netns", "exec", s.client] });
    const host = s.profile === "no-nat" ? s.clientIp : s.publicIp;
    return `http://${host}:${PORT}/api/offer`;
  }

  async function check(from: string, args: string[]): Promise<{ code: number | null; report: Report }> {
    const result = await runIn(site(from).client, process.execPath, [BIN, "check", ...CHECK, ...args], 90_000);
    expect(result.stderr, farEnd?.stderr()).toBe("");
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    return { code: result.code, report };
  }

  const errors = (report: Report) => report.findings.filter((f) => f.severity === "error").map((f) => `${f.id}/${f.message}`);

  describe("the far side does not receive UDP", () => {
    it("a bot on a public address whose router drops inbound UDP: its filter is named, not the stall, nor our NAT", async () => {
      dropInboundUdp("pub");
      // Like a Pipecat bot with a STUN server: its STUN answers are dropped on the way in too.
      const url = await startBot("pub", [{ urls: STUN }]);
      const { code, report } = await check("home", ["--signal", url]);
      expect(code).toBe(1);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote).toMatchObject({ ok: false, stalledIn: "checking" });
      expect(remote?.signalling?.answer?.candidates.some((c) => c.addressClass === "public")).toBe(true);
      expect(remote?.localCandidates.some((c) => c.type === "srflx")).toBe(true);
      const top = report.findings[0];
      expect(top?.id).toBe("far-side-udp-filtered");
      // Whether the bot's first checks beat ours through our NAT decides which; both name its filter.
      expect(["public-unanswered", "replies-dropped"]).toContain(top?.message);
      expect(top?.evidence.map((e) => e.path)).toEqual(expect.arrayContaining(["/connectivity/0/pairs", "/connectivity/0/signalling/answerMs"]));
      expect(top?.fix).toMatch(/inbound UDP/);
      expect(errors(report)).toEqual([`far-side-udp-filtered/${top?.message}`]);
      // Its silent STUN server shows in how late it answered: a warning of its own.
      expect(report.findings.map((f) => `${f.severity} ${f.id}`)).toContain("warning far-side-slow-answer");
    });

    it("from a client that admits anyone: the bot's checks arrive here, nothing of ours arrives there", async () => {
      dropInboundUdp("pub");
      const url = await startBot("pub", []);
      const { code, report } = await check("open", ["--signal", url]);
      expect(code).toBe(1);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote?.pairs.some((p) => (p.requestsReceived ?? 0) > 0)).toBe(true);
      expect(remote?.pairs.every((p) => (p.responsesReceived ?? 0) === 0)).toBe(true);
      expect(errors(report)).toEqual(["far-side-udp-filtered/replies-dropped"]);
    });

    it("healthy: the same bot with its media ports open connects, with no error finding", async () => {
      const url = await startBot("pub", [{ urls: STUN }]);
      const { code, report } = await check("home", ["--signal", url]);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote, farEnd?.stderr()).toMatchObject({ ok: true, dtlsState: "connected" });
      expect(errors(report)).toEqual([]);
      expect(report.findings.map((f) => f.id)).not.toContain("far-side-slow-answer");
      expect(code).toBe(0);
    });
  });

  describe("how long the far side took to answer", () => {
    it("a bot behind a NAT with a STUN server it cannot reach: the late answer passes the probe timeout, and the dead server is named", async () => {
      const url = await startBot("bot", [{ urls: DEAD_STUN }]);
      const { code, report } = await check("home", ["--signal", url]);
      expect(code).toBe(1);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      // Answered although it took longer than --timeout: signalling has its own bound.
      expect(remote?.signalling?.answerMs).toBeGreaterThan(3000);
      expect(remote?.signalling?.requestTimeoutMs).toBe(30_000);
      expect(remote?.signalling?.answer?.counts).toMatchObject({ srflx: 0, relay: 0 });
      expect(remote?.signalling?.answer?.candidates.every((c) => c.addressClass === "private")).toBe(true);
      expect(report.findings[0]).toMatchObject({ id: "far-side-slow-answer", message: "unreachable-ice-server" });
      expect(report.findings[0]?.evidence.map((e) => e.path)).toContain("/connectivity/0/signalling/answerMs");
      // It has a STUN server, so "give it STUN" (far-side-private-candidates) is not the fix; the stall is the symptom.
      expect(errors(report)).toEqual(["far-side-slow-answer/unreachable-ice-server"]);
    });

    it("with a signalling bound below the bot's delay: no answer within the bound, named as such", async () => {
      const url = await startBot("bot", [{ urls: DEAD_STUN }]);
      const { code, report } = await check("home", ["--signal", url, "--signal-timeout", "2000"]);
      expect(code).toBe(1);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "timeout" } });
      expect(report.findings[0]).toMatchObject({ id: "far-side-slow-answer", message: "no-answer", title: "The far side did not answer the offer within 2.0 s" });
      expect(report.findings[0]?.fix).toContain("--signal-timeout");
      expect(errors(report)).toEqual(["far-side-slow-answer/no-answer"]);
    });

    it("healthy: the bot behind a NAT with a STUN server it reaches answers at once and connects, with no finding about it", async () => {
      const url = await startBot("bot", [{ urls: STUN }]);
      const { code, report } = await check("open", ["--signal", url]);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote, farEnd?.stderr()).toMatchObject({ ok: true });
      expect(remote?.signalling?.answer?.counts.srflx).toBeGreaterThan(0);
      expect(errors(report)).toEqual([]);
      expect(report.findings.map((f) => f.id)).not.toContain("far-side-slow-answer");
      expect(code).toBe(0);
    });

    it("slow but fine: a bot on a public address with a dead STUN server answers late and connects; a warning, not an error", async () => {
      const url = await startBot("pub", [{ urls: DEAD_STUN }]);
      const { code, report } = await check("home", ["--signal", url]);
      const remote = report.connectivity?.find((c) => c.mode === "remote");
      expect(remote, farEnd?.stderr()).toMatchObject({ ok: true });
      expect(errors(report)).toEqual([]);
      expect(report.findings.find((f) => f.id === "far-side-slow-answer")).toMatchObject({ severity: "warning", message: "unreachable-ice-server-slow" });
      expect(code).toBe(0);
    });
  });
});
