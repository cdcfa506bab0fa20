import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import type { Report } from "../../src/report/types.js";
import { reportFrom } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { requireLabTools, ROOT, notRootReason, runIn, startLab, type Lab } from "./lab.js";

/**
 * ICMP errors as evidence, behind real routers: a firewall that drops UDP, one that rejects it the
 * way a closed port does (iptables' default REJECT), one that says "administratively prohibited",
 * and a healthy NAT where one configured port simply has nothing behind it.
 */
const A = "198.51.100.1";
const B = "198.51.100.3";
const STUN_A = `stun:${A}:3478`;
const STUN_B = `stun:${B}:3478`;
const skip = notRootReason();

describe.skipIf(skip !== undefined)("ICMP errors in the NAT lab", () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    requireLabTools();
    if (!existsSync(`${ROOT}bundle/main.js`)) throw new Error("bundle/ is missing: run `npm run build` (npm test does it)");
    lab = startLab({
      coturns: [
        { name: "a", ips: [A] },
        { name: "b", ips: [B] },
      ],
      sites: [
        { name: "dropped", profile: "udp-blocked" },
        { name: "rejected", profile: "udp-rejected" },
        { name: "prohibited", profile: "udp-prohibited" },
        { name: "cone", profile: "port-restricted-cone" },
      ],
    });
  }, 120_000);
  afterAll(() => lab?.down());

  async function checkFrom(site: string, args: string[]): Promise<{ code: number | null; report: Report }> {
    // A short bound: behind the dropping firewall every probe waits it out.
    const r = await runIn(lab!.sites[site]!.client, process.execPath, [`${ROOT}bin/rtc-doctor.js`, "check", "--json", "--no-connect", "--timeout", "1500", ...args], 60_000);
    const report = reportFrom(r);
    expectValidReport(report);
    return { code: r.code, report };
  }
  const errors = (report: Report) => report.findings.filter((f) => f.severity === "error").map((f) => `${f.id}/${f.message}`);

  it("a router that DROPs UDP: udp-blocked, and the title says it rests on two destinations on two hosts", async () => {
    const { code, report } = await checkFrom("dropped", ["--stun", STUN_A, "--stun", STUN_B]);
    expect(report.servers.map((s) => s.error?.code)).toEqual(["timeout", "timeout"]);
    expect(report.nat).toMatchObject({ classic: "udp-blocked", reasons: ["no-udp-answer"] });
    expect(report.findings[0]).toMatchObject({
      id: "udp-blocked",
      message: "no-stream-relay",
      title: "UDP is blocked (no answer from 2 destinations on 2 hosts): only TURN over TCP or TLS can carry the call",
    });
    expect(report.findings.map((f) => f.id)).not.toContain("stun-server-unreachable");
    expect(code).toBe(1);
  });

  it("a router that DROPs UDP, one STUN URL: udp-blocked, resting on one destination", async () => {
    const { report } = await checkFrom("dropped", ["--stun", STUN_A]);
    expect(report.findings[0]).toMatchObject({ id: "udp-blocked", title: "UDP is blocked (no answer from 1 destination): only TURN over TCP or TLS can carry the call" });
  });

  it("a router that REJECTs UDP with port unreachable looks like a closed port for one host: named so, with the firewall as the other cause", async () => {
    const { code, report } = await checkFrom("rejected", ["--stun", STUN_A]);
    expect(report.servers[0]).toMatchObject({ error: { code: "port-unreachable" }, exchanges: [{ outcome: "port-unreachable", retransmissions: 0 }] });
    expect(report.nat).toMatchObject({ classic: "unknown", reasons: ["udp-refused"] });
    expect(report.findings[0]).toMatchObject({ id: "stun-server-unreachable", message: "nothing-listens", title: `Nothing listens on UDP 3478 at ${A}` });
    expect(report.findings[0]?.explanation).toMatch(/REJECT/);
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
    expect(code).toBe(1);
  });

  it("a router that REJECTs UDP with port unreachable, two hosts: one finding names the rejecting firewall, not a closed port each", async () => {
    const { code, report } = await checkFrom("rejected", ["--stun", STUN_A, "--stun", STUN_B]);
    expect(report.servers.map((s) => s.error?.code)).toEqual(["port-unreachable", "port-unreachable"]);
    expect(report.nat?.classic).toBe("unknown");
    expect(errors(report)).toEqual(["udp-blocked/refused-everywhere"]);
    expect(report.findings[0]?.title).toBe("Every UDP destination refuses (2 destinations on 2 hosts): a firewall here rejects UDP, or nothing listens on any");
    expect(report.findings.map((f) => f.id)).not.toContain("stun-server-unreachable");
    expect(code).toBe(1);
  });

  it("a router that answers ICMP admin-prohibited: UDP blocked, at the first send, with the refusal in the NAT tests", async () => {
    const { code, report } = await checkFrom("prohibited", ["--stun", STUN_A, "--stun", STUN_B, "--timeout", "60000"]);
    expect(report.servers.map((s) => [s.error?.code, s.exchanges[0]?.retransmissions])).toEqual([
      ["network-unreachable", 0],
      ["network-unreachable", 0],
    ]);
    expect(report.servers[0]?.error?.detail).toMatch(/communication prohibited \(EHOSTUNREACH\)/);
    expect(report.nat).toMatchObject({ classic: "udp-blocked", tests: [{ icmp: "prohibited" }, { icmp: "prohibited" }] });
    expect(report.findings[0]).toMatchObject({ id: "udp-blocked", message: "no-stream-relay", title: "UDP is blocked (no answer from 2 destinations on 2 hosts): only TURN over TCP or TLS can carry the call" });
    expect(report.findings[0]?.explanation).toMatch(/communication prohibited/);
    expect(code).toBe(1);
  });

  it("a healthy NAT where one configured port has nothing behind it: a warning naming that port, no error, no udp-blocked", async () => {
    const { code, report } = await checkFrom("cone", ["--stun", STUN_A, "--stun", `stun:${A}:3999`]);
    expect(report.servers.map((s) => [s.ok, s.error?.code])).toEqual([
      [true, undefined],
      [false, "port-unreachable"],
    ]);
    expect(report.nat?.classic).not.toBe("udp-blocked");
    expect(report.findings.find((f) => f.id === "stun-server-unreachable")).toMatchObject({ message: "nothing-listens-one-of-several", severity: "warning", title: `Nothing listens on UDP 3999 at ${A}` });
    expect(errors(report)).toEqual([]);
    expect(code).toBe(0);
  });

  it("the healthy counterpart: two STUN servers that answer, no error finding", async () => {
    const { code, report } = await checkFrom("cone", ["--stun", STUN_A, "--stun", STUN_B]);
    expect(report.servers.map((s) => s.ok)).toEqual([true, true]);
    expect(errors(report)).toEqual([]);
    expect(report.findings.map((f) => f.id)).not.toContain("stun-server-unreachable");
    expect(code).toBe(0);
  });
});
