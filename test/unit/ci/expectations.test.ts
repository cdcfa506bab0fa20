import { describe, expect, it } from "vitest";
import { parseExpectation, parseExpectations } from "../../../src/config/expectations.js";
import { ConfigError } from "../../../src/config/errors.js";
import { evaluateExpectations } from "../../../src/diagnose/expectations.js";
import { expectationFailed } from "../../../src/rules/expectation-failed.js";
import { runRules } from "../../../src/rules/engine.js";
import type { Facts, NatFact } from "../../../src/facts/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

const judge = (text: string, facts: Facts) => evaluateExpectations([parseExpectation(text)], facts)[0]!;

const nat = (patch: Partial<NatFact>): NatFact => ({
  mapping: "endpoint-independent",
  filtering: "address-and-port-dependent",
  classic: "port-restricted-cone",
  method: "rfc5780",
  servers: ["stun:198.51.100.1:3478"],
  durationMs: 30,
  tests: [],
  ...patch,
});

describe("parsing --expect", () => {
  it.each([
    ["relay", { kind: "relay" }],
    ["relay:tls", { kind: "relay", transport: "tls" }],
    [" SRFLX ", { kind: "srflx", text: "srflx" }],
    ["nat:!symmetric", { kind: "nat", classic: "symmetric", negated: true }],
    ["nat:full-cone", { kind: "nat", classic: "full-cone", negated: false }],
    ["connect:remote", { kind: "connect", mode: "remote" }],
    ["rtt<150", { kind: "rtt", maxMs: 150, text: "rtt<150" }],
    ["rtt < 80ms", { kind: "rtt", maxMs: 80, text: "rtt<80" }],
  ])("%s", (raw, parsed) => {
    expect(parseExpectation(raw)).toMatchObject(parsed);
  });

  it.each([
    ["relay:quic", /unknown expectation/],
    ["nat:!cone", /unknown NAT type 'cone'/],
    ["rtt>5", /write the bound as rtt<MILLISECONDS/],
    ["rtt<0", /from 1 to 60000/],
    ["turn", /unknown expectation/],
  ])("rejects %s with a ConfigError naming the syntax", (raw, message) => {
    expect(() => parseExpectation(raw)).toThrow(ConfigError);
    expect(() => parseExpectation(raw)).toThrow(message);
    expect(() => parseExpectation(raw)).toThrow(/expected one of: relay, relay:udp/);
  });

  it("collapses duplicates", () => {
    expect(parseExpectations(["relay", "RELAY", "srflx"]).map((e) => e.text)).toEqual(["relay", "srflx"]);
  });
});

describe("evaluating expectations against facts", () => {
  it("meets relay, relay per transport and srflx on a healthy run, pointing at the deciding fact", () => {
    const facts = healthyFacts();
    expect(judge("relay", facts)).toMatchObject({ met: true, path: "/servers/1/relayedAddress" });
    expect(judge("relay:tcp", facts)).toMatchObject({ met: true, path: "/servers/2/relayedAddress" });
    expect(judge("relay:tls", facts)).toMatchObject({ met: true, path: "/servers/3/relayedAddress" });
    expect(judge("srflx", facts)).toMatchObject({ met: true, path: "/servers/0/mappedAddress" });
  });

  it("fails relay:udp with the server's error when only that transport broke", () => {
    const facts = withServer(healthyFacts(), 1, { ok: false, relayedAddress: undefined, error: { code: "timeout", detail: "no answer", message: "no answer" } });
    expect(judge("relay:udp", facts)).toMatchObject({ met: false, actual: "no relay over UDP: turn:198.51.100.1:3478?transport=udp: no answer" });
    expect(judge("relay", facts).met).toBe(true);
  });

  it("says 'not measured' when no URL for it was configured", () => {
    const facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 1) };
    expect(judge("relay:tls", facts)).toEqual({ expectation: "relay:tls", met: false, actual: "not measured: no TURN URL over TLS was configured" });
  });

  it("judges NAT expectations, and 'not measured' without NAT facts", () => {
    expect(judge("nat:!symmetric", healthyFacts()).actual).toMatch(/^not measured: NAT discovery did not run/);
    expect(judge("nat:!symmetric", { ...healthyFacts(), nat: nat({}) }).met).toBe(true);
    expect(judge("nat:port-restricted-cone", { ...healthyFacts(), nat: nat({}) }).met).toBe(true);
    const symmetric = { ...healthyFacts(), nat: nat({ mapping: "address-and-port-dependent", classic: "symmetric" }) };
    expect(judge("nat:!symmetric", symmetric)).toMatchObject({ met: false, path: "/nat/classic" });
  });

  it("settles nat:!symmetric from the mapping alone when the filtering is unknown", () => {
    const multi = { ...healthyFacts(), nat: nat({ classic: "unknown", filtering: "unknown", method: "multi-server" }) };
    expect(judge("nat:!symmetric", multi)).toMatchObject({ met: true, path: "/nat/mapping" });
    expect(judge("nat:full-cone", multi).met).toBe(false);
  });

  it("does not let UDP-blocked pass as 'not symmetric'", () => {
    const blocked = { ...healthyFacts(), nat: nat({ classic: "udp-blocked", mapping: "unknown", filtering: "unknown" }) };
    expect(judge("nat:!symmetric", blocked).met).toBe(false);
    expect(judge("nat:udp-blocked", blocked).met).toBe(true);
  });

  it("judges connections from connectivity facts, and 'not measured' without them", () => {
    expect(judge("connect:remote", healthyFacts()).actual).toBe("not measured: this run made no connection attempt");
    const facts = {
      ...healthyFacts(),
      connectivity: [
        { mode: "loopback-host", ok: true, rttMs: 2 },
        { mode: "loopback-relay", via: "turn:198.51.100.1:3478", ok: false },
        { mode: "remote", via: "http://127.0.0.1:7860/api/offer", ok: false },
      ],
    } as Facts;
    expect(judge("connect:loopback", facts)).toMatchObject({ met: true, actual: "1 of 2 connected (loopback-host)", path: "/connectivity/0" });
    expect(judge("connect:remote", facts)).toMatchObject({ met: false, path: "/connectivity/2" });
  });

  it("judges rtt<N on the remote connection first, else on the slowest server", () => {
    expect(judge("rtt<5", healthyFacts())).toMatchObject({ met: true, actual: "slowest ICE server RTT 4 ms (stun:198.51.100.1:3478)" });
    expect(judge("rtt<4", healthyFacts()).met).toBe(false);
    const remote = { ...healthyFacts(), connectivity: [{ mode: "remote", ok: true, rttMs: 180 }] } as Facts;
    expect(judge("rtt<150", remote)).toMatchObject({ met: false, actual: "remote connection RTT 180 ms", path: "/connectivity/0/rttMs" });
    const silent = { ...healthyFacts(), servers: healthyFacts().servers.map((s) => ({ ...s, ok: false })) };
    expect(judge("rtt<150", silent).actual).toMatch(/^not measured/);
  });
});

describe("expectation-failed", () => {
  it("is silent when every expectation is met", () => {
    const facts = healthyFacts();
    facts.expectations = evaluateExpectations(parseExpectations(["relay", "srflx"]), facts);
    expect(expectationFailed.check(facts)).toEqual([]);
  });

  it("fires once per unmet expectation, with the expectation in the evidence", () => {
    const facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 1) };
    facts.expectations = evaluateExpectations(parseExpectations(["srflx", "relay:tls", "rtt<1"]), facts);
    const hits = expectationFailed.check(facts);
    expect(runRules([expectationFailed], facts).map((f) => [f.message, f.severity, f.title])).toEqual([
      ["not-measured", "error", "Expectation 'relay:tls' is not met"],
      ["not-met", "error", "Expectation 'rtt<1' is not met"],
    ]);
    expect(hits.map((h) => h.subjects)).toEqual([["/expectations/1"], ["/expectations/2"]]);
    expect(hits[0]?.evidence[0]).toEqual({ path: "/expectations/1", fact: "expected relay:tls; actual: not measured: no TURN URL over TLS was configured" });
    expect(hits[1]?.evidence.map((e) => e.path)).toEqual(["/expectations/2", "/servers/0/rttMs"]);
    // An unmet rtt bound gets the rtt fix, not the generic one.
    expect(hits[1]?.fix).toMatch(/closer/);
  });
});

describe("media expectations", () => {
  const remote = (media: Partial<NonNullable<Facts["connectivity"]>[number]["media"]> | undefined): Facts => ({
    ...healthyFacts(),
    connectivity: [
      {
        mode: "remote",
        via: "http://198.51.100.20:7860/api/offer",
        ok: true,
        durationMs: 3800,
        iceStates: [],
        pairs: [],
        localCandidates: [],
        remoteCandidates: [],
        ...(media
          ? {
              media: {
                kind: "audio" as const,
                offeredDirection: "sendrecv" as const,
                answeredDirection: "sendrecv",
                durationMs: 3000,
                sent: { packets: 150, bytes: 19656 },
                rtcpReceived: 4,
                farSideReports: { count: 2, packetsReceived: 98, packetsLost: 0 },
                received: { packets: 150, bytes: 19656, ssrcs: 1 },
                ...media,
              },
            }
          : {}),
      },
    ],
  });

  it("parses media:both, media:send, media:receive and rejects other directions", () => {
    expect(parseExpectation("media:both")).toEqual({ kind: "media", direction: "both", text: "media:both" });
    expect(parseExpectation("MEDIA:receive")).toMatchObject({ kind: "media", direction: "receive" });
    expect(() => parseExpectation("media:video")).toThrow(/write media:both, media:send or media:receive/);
  });

  it("meets media:both when the far side's reports count our audio and its audio arrived", () => {
    expect(judge("media:both", remote({}))).toMatchObject({ met: true, path: "/connectivity/0/media" });
    expect(judge("media:send", remote({}))).toMatchObject({ met: true, path: "/connectivity/0/media/farSideReports" });
    expect(judge("media:receive", remote({}))).toMatchObject({ met: true, path: "/connectivity/0/media/received" });
  });

  it("names the direction that failed", () => {
    const oneWay = remote({ received: { packets: 0, bytes: 0, ssrcs: 0 } });
    expect(judge("media:send", oneWay).met).toBe(true);
    expect(judge("media:both", oneWay)).toMatchObject({ met: false, actual: "from the far side: no RTP packet arrived from the far side", path: "/connectivity/0/media/received" });
    const unreported = remote({ farSideReports: { count: 0 }, rtcpReceived: 0 });
    expect(judge("media:send", unreported)).toMatchObject({ met: false, path: "/connectivity/0/media/farSideReports" });
  });

  it("is not measured without a remote attempt, or for audio back over WHIP", () => {
    expect(judge("media:both", healthyFacts()).actual).toMatch(/^not measured: no remote connection/);
    const whip = remote({ offeredDirection: "sendonly", answeredDirection: "recvonly", received: { packets: 0, bytes: 0, ssrcs: 0 } });
    expect(judge("media:receive", whip).actual).toMatch(/^not measured: .*WHIP only publishes/);
    expect(judge("media:send", whip).met).toBe(true);
    expect(judge("media:both", remote(undefined))).toMatchObject({ met: false });
  });
});
