import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { BIN } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { startLabFarEnd, type LabFarEnd } from "./far-end.js";
import { requireLabTools, notRootReason, runIn, startLab, type Lab, forwardTcp } from "./lab.js";

/**
 * The TURN server's own configuration, built for real: coturn on a host behind a 1:1 NAT with and
 * without external-ip, coturn whose denied-peer-ip covers the far side, coturn whose relay-ip is
 * IPv6 only. Our client and a libwebrtc far end (STUN only) each sit behind a symmetric NAT, so the
 * call can only go through our relay: when the relay is broken by its configuration, the top error
 * must name that configuration, not the far side's firewall.
 */

const FAR_PORT = 7860;
// Site order fixes the routers' public addresses: cli .11, far .12, tnat .13, text .14.
const FAR_PUBLIC = "198.51.100.12";
const TURN_NAT = "198.51.100.13";
const TURN_EXT = "198.51.100.14";
const TURN_PLAIN = "198.51.100.1";
const TURN_DENY = "198.51.100.2";
const TURN_V6_ONLY = "198.51.100.3";
const TURN_DUAL = "198.51.100.4";
const STUN = `stun:${TURN_PLAIN}:3478`;
// Bounds for each step; no assertion depends on a duration.
const BOUNDS = ["--timeout", "3000", "--connect-timeout", "6000"];

const skipReason = notRootReason();
// RTC_DOCTOR_LAB_CAPTURE=DIR writes each report there as NAME.json: how test/fixtures/reports/lab-turn-* were made.
const CAPTURE = process.env["RTC_DOCTOR_LAB_CAPTURE"];

const turnArgs = (host: string) => ["--turn", `turn:${host}:3478?transport=udp`, "--username", "u", "--credential", "p"];
const errors = (report: Report) => report.findings.filter((f) => f.severity === "error");

describe.skipIf(skipReason !== undefined)("NAT lab: the TURN server's own configuration", () => {
  let lab: Lab;
  let far: LabFarEnd | undefined;

  beforeAll(async () => {
    requireLabTools();
    lab = startLab({
      sites: [
        { name: "cli", profile: "symmetric" },
        { name: "far", profile: "symmetric" },
        { name: "tnat", profile: "one-to-one" },
        { name: "text", profile: "one-to-one" },
      ],
      coturns: [
        { name: "plain", ips: [TURN_PLAIN] },
        { name: "deny", ips: [TURN_DENY], args: [`--denied-peer-ip=${FAR_PUBLIC}`] },
        { name: "v6only", ips: [TURN_V6_ONLY], args: ["--relay-ip=2001:db8:100::3"] },
        { name: "dual", ips: [TURN_DUAL], args: [`--relay-ip=${TURN_DUAL}`, "--relay-ip=2001:db8:100::4"] },
        // The same coturn twice on a cloud-style host (private 10.88.0.2, public IP mapped 1:1): only one is told its public IP.
        { name: "nat", ips: ["10.88.0.2"], site: "tnat" },
        { name: "ext", ips: ["10.88.0.2"], site: "text", args: [`--external-ip=${TURN_EXT}/10.88.0.2`] },
      ],
    });
    const farSite = lab.sites["far"];
    if (!farSite) throw new Error("lab site far missing");
    forwardTcp(farSite, FAR_PORT);
    far = await startLabFarEnd(farSite.client, { port: FAR_PORT, iceServers: [{ urls: STUN }], answerOn: "srflx" });
  }, 120_000);
  afterAll(async () => {
    await far?.stop();
    lab?.down();
  });

  async function check(args: string[], capture: string): Promise<{ code: number | null; report: Report }> {
    const cli = lab.sites["cli"];
    if (!cli) throw new Error("lab site cli missing");
    const r = await runIn(cli.client, process.execPath, [BIN, "check", ...args, "--json", "--no-nat", "--no-gather", "--no-connect", ...BOUNDS], 90_000);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    if (CAPTURE) writeFileSync(join(CAPTURE, `${capture}.json`), `${JSON.stringify(report, null, 2)}\n`);
    return { code: r.code, report };
  }
  const call = (turnHost: string, capture: string) => check(["--signal", `http://${FAR_PUBLIC}:${FAR_PORT}/api/offer`, "--protocol", "pipecat", ...turnArgs(turnHost)], capture);
  const remoteOf = (report: Report) => report.connectivity?.find((c) => c.mode === "remote");

  it("coturn behind a 1:1 NAT without external-ip: the top error is its private relayed address, with the external-ip fix", async () => {
    const { code, report } = await call(TURN_NAT, "lab-turn-behind-nat");
    expect(report.servers[0]).toMatchObject({ ok: true, remoteAddressClass: "public", relayedAddressClass: "private", relayedAddress: { address: "10.88.0.2" } });
    expect(remoteOf(report)).toMatchObject({ ok: false, stalledIn: "checking" });
    const top = errors(report)[0];
    expect([top?.id, top?.message]).toEqual(["turn-private-relay-address", "behind-nat"]);
    expect(top?.fix).toContain(`external-ip=${TURN_NAT}/10.88.0.2`);
    expect(top?.evidence.map((e) => e.path)).toEqual(expect.arrayContaining(["/servers/0/remoteAddress", "/servers/0/relayedAddress", "/session/local/candidates", "/session/pairs"]));
    // What today's report said instead: the far side's firewall.
    expect(report.findings.map((f) => f.id)).not.toContain("far-side-unreachable-via-relay");
    expect(report.verdict?.relays).toEqual([]);
    expect(code).toBe(1);
  }, 120_000);

  it("the same coturn with external-ip: relayed at the public address, connected through it, no error", async () => {
    const { code, report } = await call(TURN_EXT, "lab-turn-external-ip");
    expect(report.servers[0]).toMatchObject({ ok: true, relayedAddressClass: "public", relayedAddress: { address: TURN_EXT } });
    const remote = remoteOf(report);
    expect(remote?.error, JSON.stringify(remote?.error)).toBeUndefined();
    expect(remote).toMatchObject({ ok: true, selectedPair: { local: { type: "relay", address: TURN_EXT } } });
    expect(errors(report)).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);

  it("coturn whose denied-peer-ip covers the far side's public address: the top error is the 403 rtc-doctor asked for", async () => {
    const { code, report } = await call(TURN_DENY, "lab-turn-denies-far-side");
    expect(remoteOf(report)).toMatchObject({ ok: false, stalledIn: "checking" });
    const asked = report.farSidePermissions?.[0];
    expect(asked).toMatchObject({ serverId: `turn:${TURN_DENY}:3478?transport=udp`, ok: true });
    const denied = asked?.peers.findIndex((p) => p.address === FAR_PUBLIC) ?? -1;
    expect(asked?.peers[denied]).toMatchObject({ addressClass: "public", allowed: false, stunErrorCode: 403 });
    expect(asked?.peers[denied]?.candidateTypes).toContain("srflx");
    const top = errors(report)[0];
    expect([top?.id, top?.message]).toEqual(["turn-denies-far-side", "far-side-refused"]);
    expect(top?.evidence.map((e) => e.path)).toContain(`/farSidePermissions/0/peers/${denied}`);
    expect(top?.fix).toMatch(/denied-peer-ip/);
    expect(report.findings.map((f) => f.id)).not.toContain("far-side-unreachable-via-relay");
    expect(code).toBe(1);
  }, 120_000);

  it("the same call through coturn without the deny: every far-side public address allowed, connected, no error", async () => {
    const { code, report } = await call(TURN_PLAIN, "lab-turn-allows-far-side");
    expect(remoteOf(report)).toMatchObject({ ok: true });
    const peers = report.farSidePermissions?.[0]?.peers ?? [];
    expect(peers.find((p) => p.address === FAR_PUBLIC)).toMatchObject({ allowed: true });
    expect(errors(report)).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);

  it("coturn whose relay-ip is IPv6 only: 440 to the IPv4 Allocate is the error, and it does relay IPv6", async () => {
    const { code, report } = await check(turnArgs(TURN_V6_ONLY), "lab-turn-relay-ipv6-only");
    expect(report.servers[0]).toMatchObject({
      ok: false,
      requestedFamily: 4,
      error: { code: "address-family-not-supported", stunErrorCode: 440 },
      otherFamilyAllocation: { family: 6, allocated: true, relayedAddress: { address: "2001:db8:100::3", family: 6 } },
    });
    // coturn pads this reason phrase with NULs; the report carries the text only.
    expect(report.servers[0]?.error?.stunReason).toBe("Unsupported address family");
    const top = errors(report)[0];
    expect([top?.id, top?.message]).toEqual(["turn-relay-address-family", "family-not-supported"]);
    expect(top?.fix).toMatch(/relay-ip/);
    expect(report.findings.map((f) => f.id)).not.toContain("turn-allocation-refused");
    expect(code).toBe(1);
  }, 120_000);

  it("the same coturn with an IPv4 relay-ip as well: an IPv4 relay, no error", async () => {
    const { code, report } = await check(turnArgs(TURN_DUAL), "lab-turn-relay-dual-stack");
    expect(report.servers[0]).toMatchObject({ ok: true, requestedFamily: 4, relayedAddress: { address: TURN_DUAL, family: 4 }, relayedAddressClass: "public" });
    expect(errors(report)).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);
});
