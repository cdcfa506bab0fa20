import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClassicNatType, NatBehaviour, NatFact } from "../../src/facts/nat.js";
import type { NatOptions, NatServer } from "../../src/probes/nat/index.js";
import { expectValidNat } from "../helpers/nat-schema.js";
import { natReasonWords } from "../../src/rules/nat-reasons.js";
import { requireLabTools, ROOT, notRootReason, runIn, startLab, sysctlIn, type Lab, type LabProfile } from "./lab.js";

/**
 * rtc-doctor's NAT classification inside real kernel NATs (namespaces + netfilter), checked against
 * coturn's turnutils_natdiscovery run from the same namespace against the same server.
 */

const ENTRY = ".lab/build/test/lab/nat-probe-entry.js";
const RFC5780: NatServer = { url: "stun:198.51.100.1:3478", address: { address: "198.51.100.1", port: 3478, family: 4 } };
const SINGLE_A: NatServer = { url: "stun:198.51.100.3:3478", address: { address: "198.51.100.3", port: 3478, family: 4 } };
const SINGLE_B: NatServer = { url: "stun:198.51.100.4:3478", address: { address: "198.51.100.4", port: 3478, family: 4 } };

interface Expected {
  profile: LabProfile;
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  classic: ClassicNatType;
  hairpinning?: boolean;
  portPreserving?: boolean;
  /** What turnutils_natdiscovery -m -f prints; undefined = no verdict line at all (it got no answer). */
  turnutils: { mapping?: NatBehaviour; filtering?: NatBehaviour };
}

const PROFILES: Expected[] = [
  // turnutils says "NAT with Endpoint Independent Mapping/Filtering" here: it compares the mapped
  // address with its own socket's address, which is the wildcard 0.0.0.0 unless -L is given, so it
  // can never see that there is no NAT. rtc-doctor compares with the source address the kernel
  // routes from (and the host's interfaces); the extra -L run below shows coturn agreeing then.
  { profile: "no-nat", mapping: "endpoint-independent", filtering: "endpoint-independent", classic: "open-internet", hairpinning: true, portPreserving: true, turnutils: { mapping: "endpoint-independent", filtering: "endpoint-independent" } },
  { profile: "full-cone", mapping: "endpoint-independent", filtering: "endpoint-independent", classic: "full-cone", hairpinning: true, portPreserving: true, turnutils: { mapping: "endpoint-independent", filtering: "endpoint-independent" } },
  { profile: "restricted-cone", mapping: "endpoint-independent", filtering: "address-dependent", classic: "restricted-cone", hairpinning: false, portPreserving: true, turnutils: { mapping: "endpoint-independent", filtering: "address-dependent" } },
  { profile: "port-restricted-cone", mapping: "endpoint-independent", filtering: "address-and-port-dependent", classic: "port-restricted-cone", hairpinning: false, portPreserving: true, turnutils: { mapping: "endpoint-independent", filtering: "address-and-port-dependent" } },
  // portPreserving is not asserted: --random-fully may, once in tens of thousands, pick the local port.
  { profile: "symmetric", mapping: "address-and-port-dependent", filtering: "address-and-port-dependent", classic: "symmetric", hairpinning: false, turnutils: { mapping: "address-and-port-dependent", filtering: "address-and-port-dependent" } },
  // No answer at all: turnutils prints only "STUN receive timeout" and no verdict.
  { profile: "udp-blocked", mapping: "unknown", filtering: "unknown", classic: "udp-blocked", turnutils: {} },
  { profile: "tcp-443-only", mapping: "unknown", filtering: "unknown", classic: "udp-blocked", turnutils: {} },
];

const TURNUTILS_LABELS: Record<string, NatBehaviour> = {
  "Endpoint Independent": "endpoint-independent",
  "Address Dependent": "address-dependent",
  "Address and Port Dependent": "address-and-port-dependent",
};

function turnutilsVerdict(output: string): { mapping?: NatBehaviour; filtering?: NatBehaviour; noNat: boolean } {
  const mapping = /NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) Mapping!/.exec(output)?.[1];
  const filtering = /NAT with (Endpoint Independent|Address Dependent|Address and Port Dependent) Filtering!/.exec(output)?.[1];
  return {
    mapping: mapping ? TURNUTILS_LABELS[mapping] : undefined,
    filtering: filtering ? TURNUTILS_LABELS[filtering] : undefined,
    noNat: output.includes("No NAT!"),
  };
}

async function classifyIn(namespace: string, servers: NatServer[], options: NatOptions = {}): Promise<{ fact: NatFact; wallMs: number }> {
  const r = await runIn(namespace, "node", [ENTRY, JSON.stringify({ servers, options })], 120_000);
  if (r.code !== 0) throw new Error(`NAT probe failed in ${namespace} (${r.code}): ${r.stderr}`);
  const fact = JSON.parse(r.stdout) as NatFact;
  expectValidNat(fact);
  return { fact, wallMs: r.wallMs };
}

const timings: string[] = [];
const ms = (n: number) => `${Math.round(n)} ms`.padStart(8);

const skipReason = notRootReason();
if (skipReason) console.warn(`[nat-lab] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("NAT lab: classification in real kernel NATs", () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    requireLabTools();
    // A namespace is per process: the probe runs as a child under `ip netns exec`, compiled first
    // (Node 20 runs no TypeScript), from its own small tsconfig so unrelated work cannot break it.
    const tsc = spawnSync(`${ROOT}node_modules/.bin/tsc`, ["-p", "test/lab/tsconfig.entry.json"], { cwd: ROOT, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`compiling the lab's NAT probe failed:\n${tsc.stdout}${tsc.stderr}`);
    lab = startLab({
      coturns: [
        { name: "rfc5780", ips: ["198.51.100.1", "198.51.100.2"] },
        { name: "stun-a", ips: ["198.51.100.3"] },
        { name: "stun-b", ips: ["198.51.100.4"] },
      ],
      sites: [...PROFILES.map((p) => ({ name: p.profile.replace(/[^a-z0-9]/g, "").slice(0, 10), profile: p.profile })), { name: "lifetime", profile: "port-restricted-cone" }],
    });
  }, 120_000);

  afterAll(() => {
    lab?.down();
    if (timings.length > 0) console.log(["[nat-lab] classification time, rtc-doctor vs turnutils_natdiscovery -m -f:", ...timings].join("\n"));
  });

  const site = (profile: LabProfile) => {
    const s = Object.values(lab!.sites).find((x) => x.profile === profile && x.name !== "lifetime");
    if (!s) throw new Error(`no lab site for ${profile}`);
    return s;
  };

  it.each(PROFILES)("$profile: mapping $mapping, filtering $filtering ($classic), and turnutils_natdiscovery agrees", async (expected) => {
    const s = site(expected.profile);
    const { fact, wallMs } = await classifyIn(s.client, [RFC5780]);
    const turnutils = await runIn(s.client, "turnutils_natdiscovery", ["-m", "-f", RFC5780.address.address], 30_000);
    const verdict = turnutilsVerdict(turnutils.stdout);

    const line = `${expected.profile.padEnd(21)} rtc-doctor ${ms(fact.durationMs)} (process ${ms(wallMs)})   turnutils ${ms(turnutils.wallMs)}   ${(turnutils.wallMs / Math.max(1, fact.durationMs)).toFixed(1)}x`;
    timings.push(line);
    console.log(`[nat-lab] ${line}`);

    expect({ mapping: fact.mapping, filtering: fact.filtering, classic: fact.classic }).toEqual({
      mapping: expected.mapping,
      filtering: expected.filtering,
      classic: expected.classic,
    });
    expect(fact.method).toBe(expected.classic === "udp-blocked" ? "none" : "rfc5780");
    if (expected.hairpinning !== undefined) expect(fact.hairpinning).toBe(expected.hairpinning);
    if (expected.portPreserving !== undefined) expect(fact.portPreserving).toBe(expected.portPreserving);
    if (expected.classic !== "udp-blocked") {
      expect(fact.publicAddress?.address).toBe(expected.profile === "no-nat" ? "203.0.113.2" : s.publicIp);
      expect(fact.localAddress?.address).toBe(s.clientIp);
    }
    expect(turnutils.code, turnutils.stderr).toBe(0);
    expect({ mapping: verdict.mapping, filtering: verdict.filtering }, turnutils.stdout).toEqual(expected.turnutils);
    if (expected.classic === "udp-blocked") expect(turnutils.stdout).toContain("STUN receive timeout");
    // The evidence trail: every test says where it went and what came back.
    for (const t of fact.tests) expect(t.result).not.toBe("");
  }, 60_000);

  it("no-nat: given the local address, turnutils_natdiscovery also says there is no NAT", async () => {
    const s = site("no-nat");
    const r = await runIn(s.client, "turnutils_natdiscovery", ["-m", "-L", s.clientIp, RFC5780.address.address], 30_000);
    expect(turnutilsVerdict(r.stdout).noNat, r.stdout).toBe(true);
  }, 30_000);

  it("multi-server method behind the symmetric NAT: symmetric mapping, filtering unknown", async () => {
    const { fact } = await classifyIn(site("symmetric").client, [SINGLE_A, SINGLE_B]);
    timings.push(`${"symmetric multi-server".padEnd(21)} rtc-doctor ${ms(fact.durationMs)}`);
    expect(fact.method).toBe("multi-server");
    expect(fact.mapping).toBe("address-and-port-dependent");
    expect(fact.filtering).toBe("unknown");
    expect(fact.classic).toBe("symmetric");
    expect(fact.reasons).toContain("filtering-not-tested");
    expect(fact.mappingRounds?.differing).toBeGreaterThan(0);
    // Three rounds to two servers, so one lost reply cannot flip the verdict.
    expect(fact.tests.filter((t) => t.name.startsWith("multi-server round")).length).toBe(4);
  }, 30_000);

  it("multi-server method behind the port-restricted cone: endpoint-independent mapping, filtering unknown", async () => {
    const { fact } = await classifyIn(site("port-restricted-cone").client, [SINGLE_A, SINGLE_B]);
    expect(fact.method).toBe("multi-server");
    expect(fact.mapping).toBe("endpoint-independent");
    expect(fact.filtering).toBe("unknown");
    expect(fact.classic).toBe("unknown");
  }, 30_000);

  it("multi-server method with no NAT: open internet", async () => {
    const { fact } = await classifyIn(site("no-nat").client, [SINGLE_A, SINGLE_B]);
    expect({ method: fact.method, mapping: fact.mapping, classic: fact.classic }).toEqual({ method: "multi-server", mapping: "endpoint-independent", classic: "open-internet" });
  }, 30_000);

  it("one plain STUN server only: the mapping is unknown and the reasons say why", async () => {
    const { fact } = await classifyIn(site("symmetric").client, [SINGLE_A]);
    expect({ method: fact.method, mapping: fact.mapping, filtering: fact.filtering, classic: fact.classic }).toEqual({
      method: "none",
      mapping: "unknown",
      filtering: "unknown",
      classic: "unknown",
    });
    expect(fact.reasons).toEqual(["single-server", "filtering-not-tested"]);
  }, 30_000);

  it("binding lifetime (conntrack UDP timeouts cut to 3 s in the router): kept 2 s, gone by 5 s", async () => {
    const s = lab!.sites["lifetime"]!;
    sysctlIn(s.router, "net.netfilter.nf_conntrack_udp_timeout=3");
    sysctlIn(s.router, "net.netfilter.nf_conntrack_udp_timeout_stream=3");
    const { fact } = await classifyIn(s.client, [RFC5780], { natLifetime: { probesSec: [1, 2, 5] } });
    expect(fact.bindingLifetimeSec).toBe(2);
    expect(fact.bindingExpiredWithinSec).toBe(5);
    expect(natReasonWords(fact)).toContain("The NAT kept an idle UDP binding for 2 s but dropped it within 5 s.");
  }, 30_000);
});
