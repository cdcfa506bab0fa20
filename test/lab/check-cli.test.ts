import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import type { Report } from "../../src/report/types.js";
import { reportFrom } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { requireLabTools, ROOT, notRootReason, runIn, startLab, type Lab, type LabProfile } from "./lab.js";

/**
 * The whole `rtc-doctor check`, as a user runs it, from behind real kernel NATs: the NAT facts,
 * the findings they lead to, the verdict and the exit code, with and without a TURN relay.
 */
const STUN = "stun:198.51.100.1:3478";
const TURN_UDP = "turn:198.51.100.1:3478?transport=udp";
const TURN_TCP = "turn:198.51.100.1:3478?transport=tcp";
const SITES: LabProfile[] = ["symmetric", "port-restricted-cone", "udp-blocked", "tcp-443-only", "full-cone"];

const skip = notRootReason();

describe.skipIf(skip !== undefined)("rtc-doctor check behind lab NATs", () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    requireLabTools();
    if (!existsSync(`${ROOT}bundle/main.js`)) throw new Error("bundle/ is missing: run `npm run build` (npm test does it)");
    lab = startLab({
      coturns: [{ name: "rfc5780", ips: ["198.51.100.1", "198.51.100.2"] }],
      sites: SITES.map((profile) => ({ name: profile.replace(/[^a-z0-9]/g, "").slice(0, 10), profile })),
    });
  }, 120_000);
  afterAll(() => lab?.down());

  async function checkFrom(profile: LabProfile, args: string[], { connect = false } = {}): Promise<{ code: number | null; report: Report }> {
    const site = Object.values(lab!.sites).find((s) => s.profile === profile)!;
    // Short bounds: behind the blocking profiles every silent probe waits them out.
    const r = await runIn(site.client, process.execPath, [`${ROOT}bin/rtc-doctor.js`, "check", "--json", ...(connect ? ["--quality", "0"] : ["--no-connect"]), "--timeout", "1500", ...args], 60_000);
    return { code: r.code, report: reportFrom(r) };
  }
  const ids = (report: Report) => report.findings.map((f) => `${f.severity}:${f.id}`);
  const cell = (report: Report, peer: string) => report.verdict?.cells.find((c) => c.peer === peer)?.reach;

  it("symmetric NAT, STUN only: the error names the missing relay, and nat:!symmetric fails the run", async () => {
    const { code, report } = await checkFrom("symmetric", ["--stun", STUN, "--expect", "nat:!symmetric"]);
    expect(report.nat).toMatchObject({ classic: "symmetric", mapping: "address-and-port-dependent", method: "rfc5780" });
    expect(ids(report)[0]).toBe("error:symmetric-nat-without-turn");
    expect(report.expectations).toEqual([expect.objectContaining({ expectation: "nat:!symmetric", met: false })]);
    expect(cell(report, "symmetric-nat")).toBe("none");
    expect(code).toBe(1);
  });

  it("symmetric NAT with a working TURN relay: no error, and the verdict goes through the relay", async () => {
    const { code, report } = await checkFrom("symmetric", ["--stun", STUN, "--turn", TURN_UDP, "--username", "u", "--credential", "p"]);
    expect(report.servers.map((s) => s.ok)).toEqual([true, true]);
    expect(ids(report).filter((f) => f.startsWith("error:"))).toEqual([]);
    expect(cell(report, "symmetric-nat")).toBe("relay");
    expect(code).toBe(0);
  });

  it("port-restricted cone: nat:!symmetric holds and only the missing relay is a warning", async () => {
    const { code, report } = await checkFrom("port-restricted-cone", ["--stun", STUN, "--expect", "nat:!symmetric"]);
    expect(report.nat?.classic).toBe("port-restricted-cone");
    expect(report.expectations?.[0]?.met).toBe(true);
    expect(ids(report).filter((f) => !f.startsWith("info:"))).toEqual(["warning:no-turn-configured"]);
    expect(code).toBe(0);
  });

  // Both peers of the srflx loopback sit behind the same NAT: it connects only where the NAT hairpins.
  it("port-restricted cone without hairpinning: the srflx loopback is not tried (no 10 s wait), host and relay connect", async () => {
    const { code, report } = await checkFrom("port-restricted-cone", ["--stun", STUN, "--turn", TURN_UDP, "--username", "u", "--credential", "p"], { connect: true });
    expect(report.nat?.hairpinning).toBe(false);
    expect(report.connectivity?.map((c) => [c.mode, c.ok, c.notAttempted])).toEqual([
      ["loopback-host", true, undefined],
      ["loopback-srflx", false, "no-hairpinning"],
      ["loopback-relay", true, undefined],
    ]);
    expect(report.connectivity?.[1]?.stalledIn).toBeUndefined();
    expectValidReport(report);
    expect(ids(report)).toContain("info:srflx-loopback-not-tried");
    expect(ids(report)).not.toContain("warning:connection-stalled");
    // The STUN server is still gathered through, as the srflx attempt's peer would have.
    expect(report.gathering.find((g) => g.url === STUN)).toMatchObject({ ok: true, srflx: 1 });
    expect(code).toBe(0);
  });

  it("full cone, which hairpins: the srflx loopback is made and connects", async () => {
    const { report } = await checkFrom("full-cone", ["--stun", STUN], { connect: true });
    expect(report.nat?.hairpinning).toBe(true);
    expect(report.connectivity?.map((c) => [c.mode, c.ok, c.notAttempted])).toEqual([
      ["loopback-host", true, undefined],
      ["loopback-srflx", true, undefined],
    ]);
  });

  it("UDP blocked with TURN over TCP: one finding says calls go through TCP, no per-server UDP errors", async () => {
    const { code, report } = await checkFrom("udp-blocked", ["--stun", STUN, "--turn", TURN_TCP, "--username", "u", "--credential", "p"]);
    expect(report.nat?.classic).toBe("udp-blocked");
    expect(report.servers.map((s) => [s.transport, s.ok])).toEqual([["udp", false], ["tcp", true]]);
    // The relay on 3478 works from here; users whose network allows only 443 would still be stuck.
    expect(ids(report)).toEqual(["warning:turn-not-on-443", "info:udp-blocked"]);
    expect(code).toBe(0);
  });

  it("only TCP 443 out and TURN on 3478: UDP blocked is the error, the TCP relay is unreachable too", async () => {
    const { code, report } = await checkFrom("tcp-443-only", ["--stun", STUN, "--turn", TURN_UDP, "--turn", TURN_TCP, "--username", "u", "--credential", "p"]);
    expect(report.nat?.classic).toBe("udp-blocked");
    expect(ids(report)[0]).toBe("error:udp-blocked");
    // The UDP timeouts are the udp-blocked finding's; the TCP one is its own cause (port 3478 filtered).
    expect(report.findings.filter((f) => f.id === "turn-server-unreachable").map((f) => f.evidence[0]?.path)).toEqual(["/servers/2/error"]);
    expect(report.findings.find((f) => f.id === "udp-blocked")?.fix).toMatch(/443/);
    expect(code).toBe(1);
  });
});
