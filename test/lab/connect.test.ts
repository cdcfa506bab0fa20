import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { BIN } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";
import { requireLabTools, notRootReason, runIn, startLab, type Lab, forwardTcp } from "./lab.js";

/**
 * `rtc-doctor serve` on a host behind one NAT, `rtc-doctor check --signal` from a client behind
 * another, in real kernel NATs. The server's HTTP port is forwarded through its router, as a user
 * would forward it; media must find its own way, which is what the checks test.
 */

const SERVE_PORT = "8787";
const COTURN = "198.51.100.3";
const STUN = `stun:${COTURN}:3478`;
const TURN = [`--turn`, `turn:${COTURN}:3478?transport=udp`, "--username", "u", "--credential", "p"];
// Bounds for each step; no assertion depends on a duration.
const CHECK = ["--json", "--no-nat", "--no-gather", "--no-connect", "--timeout", "3000", "--connect-timeout", "5000"];

const skipReason = notRootReason();

describe.skipIf(skipReason !== undefined)("NAT lab: serve behind one NAT, check --signal from behind another", () => {
  let lab: Lab;
  let serve: ServeProcess | undefined;

  beforeAll(() => {
    requireLabTools();
    lab = startLab({
      coturns: [{ name: "turn", ips: [COTURN] }],
      sites: [
        { name: "srv", profile: "symmetric" },
        { name: "cli", profile: "symmetric" },
      ],
    });
    const srv = lab.sites["srv"];
    if (!srv) throw new Error("lab site srv missing");
    forwardTcp(srv, SERVE_PORT);
  });
  afterEach(async () => {
    await serve?.stop();
    serve = undefined;
  });
  afterAll(() => {
    lab?.down();
  });

  async function startServe(args: string[]): Promise<string> {
    const srv = lab.sites["srv"];
    if (!srv) throw new Error("lab site srv missing");
    serve = await startServeProcess(["--port", SERVE_PORT, "--no-stun-port", "--advertise", srv.publicIp, ...args], { prefix: ["ip", "netns", "exec", srv.client] });
    return `http://${srv.publicIp}:${SERVE_PORT}`;
  }

  async function check(args: string[]): Promise<{ code: number | null; report: Report }> {
    const cli = lab.sites["cli"];
    if (!cli) throw new Error("lab site cli missing");
    const result = await runIn(cli.client, process.execPath, [BIN, "check", ...args, ...CHECK], 60_000);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    return { code: result.code, report };
  }

  it("both behind symmetric NATs with STUN only: stalled in checking, the pair stats show checks sent and never answered", async () => {
    const base = await startServe(["--stun", STUN]);
    const { code, report } = await check(["--signal", `${base}/whip`, "--protocol", "whip", "--stun", STUN]);
    expect(code).toBe(1);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote).toMatchObject({ ok: false, stalledIn: "checking" });
    expect(remote?.signalling?.answer?.counts.srflx).toBeGreaterThan(0);
    expect(remote?.pairs.length).toBeGreaterThan(0);
    expect(remote?.pairs.some((p) => (p.requestsSent ?? 0) > 0)).toBe(true);
    expect(remote?.pairs.every((p) => p.state !== "succeeded" && (p.responsesReceived ?? 0) === 0)).toBe(true);
    const stalled = report.findings.find((f) => f.id === "connection-stalled");
    expect(stalled?.severity).toBe("error");
    expect(stalled?.evidence.map((e) => e.path)).toContain("/connectivity/0/pairs");
  });

  // Relay<->relay and host<->relay both run through the lab's coturn. That works only because the
  // lab's internet drops packets for unknown (private) addresses silently, as the real one does:
  // with no route at all coturn's send to a peer's private host candidate failed with ENETUNREACH,
  // coturn closed that allocation, and every check through it went unanswered (scripts/nat-lab.sh wan_up).
  it("with TURN given to both: connected through a relay", async () => {
    const base = await startServe(["--stun", STUN, ...TURN]);
    const { code, report } = await check(["--signal", `${base}/api/offer`, "--protocol", "pipecat", "--stun", STUN, ...TURN]);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.error, JSON.stringify(remote?.error)).toBeUndefined();
    expect(remote).toMatchObject({ ok: true, dtlsState: "connected" });
    expect([remote?.selectedPair?.local.type, remote?.selectedPair?.remote.type]).toContain("relay");
    expect(report.findings.map((f) => f.id)).not.toContain("connection-stalled");
    expect(code).toBe(0);
  });

  it("the server offers only private host candidates (no ICE servers) while its HTTP port is forwarded: stalled, the answer's candidates are the evidence", async () => {
    const base = await startServe([]);
    const { code, report } = await check(["--signal", `${base}/api/offer`, "--protocol", "pipecat", "--stun", STUN, ...TURN]);
    expect(code).toBe(1);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote).toMatchObject({ ok: false, stalledIn: "checking" });
    const answer = remote?.signalling?.answer;
    expect(answer?.candidates.length).toBeGreaterThan(0);
    expect(answer?.candidates.every((c) => c.type === "host" && c.addressClass === "private")).toBe(true);
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain("connection-stalled");
    const stalled = report.findings.find((f) => f.id === "connection-stalled");
    expect(stalled?.evidence.find((e) => e.path === "/connectivity/0/signalling/answer/candidates")?.fact).toMatch(/host 10\.77\.0\.2:\d+.*private/);
    // The session rules judge the same answer: the far side's private-only candidates are named as the cause.
    expect(ids).toContain("far-side-private-candidates");
  });
});
