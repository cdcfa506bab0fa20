import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { buildReport } from "../../../src/report/build.js";
import { renderJunit } from "../../../src/report/junit.js";
import { renderMarkdown } from "../../../src/report/markdown.js";
import { parseExpectations } from "../../../src/config/expectations.js";
import { evaluateExpectations } from "../../../src/diagnose/expectations.js";
import type { Facts } from "../../../src/facts/index.js";
import { diagnose, type FailOn } from "../../../src/diagnose/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

function reportOf(facts: Facts, failOn: FailOn = "error") {
  return buildReport(facts, diagnose(facts, { failOn }), { startedAt: new Date("2026-03-01T12:00:00Z"), durationMs: 1234 });
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "testsuite" || name === "testcase" });

interface Case {
  name: string;
  failure?: { message: string; type: string; "#text": string };
  skipped?: unknown;
  "system-out"?: string;
}
interface ParsedSuite {
  name: string;
  tests: string;
  failures: string;
  skipped: string;
  testcase: Case[];
}

function parseJunit(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: { tests: string; failures: string; skipped: string; testsuite: ParsedSuite[] } };
  return doc.testsuites;
}

/** A run with a 401 on TURN/UDP, a healthy rest, a NAT test and two expectations (one unmet). */
function troubledFacts(): Facts {
  const facts = withServer(healthyFacts(), 1, {
    ok: false,
    relayedAddress: undefined,
    error: { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "rejected <user> & \"pass\" 'x'\u001b[31m\u0000", message: "rejected <user> & \"pass\" 'x'\u001b[31m\u0000" },
  });
  facts.nat = {
    mapping: "endpoint-independent",
    filtering: "address-and-port-dependent",
    classic: "port-restricted-cone",
    method: "rfc5780",
    servers: ["stun:198.51.100.1:3478"],
    durationMs: 40,
    tests: [
      { name: "mapping I", sentTo: { address: "198.51.100.1", port: 3478, family: 4 }, attempts: 1, rttMs: 3, result: "mapped 203.0.113.7:40000" },
      { name: "filtering II", sentTo: { address: "198.51.100.1", port: 3478, family: 4 }, attempts: 3, result: "no response" },
    ],
  };
  facts.expectations = evaluateExpectations(parseExpectations(["relay:udp", "relay:tcp"]), facts);
  return facts;
}

describe("JUnit XML", () => {
  it("parses, with one testcase per server probe, NAT test and expectation, and counts that add up", () => {
    const junit = parseJunit(renderJunit(reportOf(troubledFacts())));
    const suites = Object.fromEntries(junit.testsuite.map((s) => [s.name, s]));
    // Findings about the NAT as a whole (not one test) land in the diagnosis suite after these.
    expect(Object.keys(suites).slice(0, 3)).toEqual(["rtc-doctor.servers", "rtc-doctor.nat", "rtc-doctor.expectations"]);
    expect(suites["rtc-doctor.servers"]?.testcase).toHaveLength(4);
    expect(suites["rtc-doctor.nat"]?.testcase.map((c) => c.name)).toEqual(["mapping I", "filtering II"]);
    expect(suites["rtc-doctor.expectations"]?.testcase.map((c) => c.name)).toEqual(["relay:udp", "relay:tcp"]);
    for (const s of junit.testsuite) {
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(Number(s.failures)).toBe(s.testcase.filter((c) => c.failure !== undefined).length);
    }
    expect(Number(junit.tests)).toBe(junit.testsuite.reduce((n, s) => n + s.testcase.length, 0));
    expect(Number(junit.failures)).toBe(2);
    expect(junit.testsuite.reduce((n, s) => n + Number(s.failures), 0)).toBe(Number(junit.failures));
  });

  it("puts the finding's explanation into the failure, escaped, without control characters", () => {
    const xml = renderJunit(reportOf(troubledFacts()));
    expect(xml).not.toMatch(/[\u0000\u001b]/);
    const junit = parseJunit(xml);
    const udp = junit.testsuite[0]?.testcase[1];
    expect(udp?.failure?.type).toBe("turn-auth-failed");
    expect(udp?.failure?.message).toBe("The TURN server rejects the credentials");
    expect(udp?.failure?.["#text"]).toContain("answered 401 Unauthorized");
    expect(udp?.failure?.["#text"]).toContain("rejected <user> & \"pass\" 'x'[31m");
    const expectation = junit.testsuite[2]?.testcase[0];
    expect(expectation?.failure?.type).toBe("expectation-failed");
    expect(expectation?.failure?.["#text"]).toContain("expected relay:udp; actual: no relay over UDP");
  });

  it("lists findings about the run as a whole in a diagnosis suite, failing only at --fail-on", () => {
    const stunOnly: Facts = { ...healthyFacts(), servers: healthyFacts().servers.slice(0, 1), config: { ...healthyFacts().config, turnCount: 0 } };
    const atError = parseJunit(renderJunit(reportOf(stunOnly, "error")));
    const diagnosis = atError.testsuite.find((s) => s.name === "rtc-doctor.diagnosis");
    expect(diagnosis?.testcase.map((c) => c.name)).toEqual(["no-turn-configured: No TURN server is configured: there is no relay path"]);
    expect(diagnosis?.testcase[0]?.failure).toBeUndefined();
    expect(diagnosis?.testcase[0]?.["system-out"]).toContain("[warning]");
    const atWarning = parseJunit(renderJunit(reportOf(stunOnly, "warning")));
    expect(Number(atWarning.failures)).toBe(1);
  });

  it("marks interrupted probes as skipped", () => {
    const facts = withServer(healthyFacts(), 2, { ok: false, error: { code: "interrupted", detail: "the run was interrupted before this probe finished", message: "the run was interrupted before this probe finished" } });
    const report = buildReport(facts, diagnose(facts, { rules: [], interrupted: true }), { startedAt: new Date(), durationMs: 5 });
    const junit = parseJunit(renderJunit(report));
    expect(junit.skipped).toBe("1");
    expect(junit.testsuite[0]?.testcase[2]?.skipped).toBeDefined();
  });
});

describe("Markdown", () => {
  it("has a verdict heading, a row per check, and each finding with evidence, fix and docs", () => {
    const md = renderMarkdown(reportOf(troubledFacts()));
    expect(md).toMatch(/^## rtc-doctor: ❌ FAIL, 2 errors, 0 warnings\n/);
    expect(md).toContain("| Check | Transport | Result | Details |");
    expect(md).toContain("| `turn:198.51.100.1:3478?transport=udp` | UDP | ❌ | rejected &lt;user&gt; & \"pass\" 'x'\u001b[31m\u0000 (STUN 401) |");
    expect(md).toContain("| NAT (rfc5780) | UDP | ✅ | port-restricted-cone: mapping endpoint-independent, filtering address-and-port-dependent |");
    expect(md).toMatch(/\| Expect `relay:tcp` \| \| ✅ \| turn:198\.51\.100\.1:3478\?transport=tcp allocated a relay over TCP/);
    expect(md).toContain("### ❌ error: The TURN server rejects the credentials `turn-auth-failed`");
    expect(md).toContain("(`/servers/1/error`)");
    expect(md).toContain("**Fix:** Check the username and credential");
    expect(md).toContain("Docs: `docs/rules/turn-auth-failed.md`");
  });

  it("escapes table pipes and says PASS with no findings", () => {
    const facts = healthyFacts();
    facts.expectations = [{ expectation: "relay", met: true, actual: "a | b" }];
    const md = renderMarkdown(reportOf(facts));
    expect(md).toMatch(/^## rtc-doctor: ✅ PASS, 0 errors, 0 warnings/);
    expect(md).toContain("| Expect `relay` | | ✅ | a \\| b |");
    expect(md).toContain("No problem found.");
  });
});

describe("audio through the remote peer in Markdown and JUnit", () => {
  function oneWay(): Facts {
    return {
      ...healthyFacts(),
      connectivity: [
        {
          mode: "remote",
          via: "http://198.51.100.20:7860/api/offer",
          ok: true,
          durationMs: 7400,
          iceStates: [{ state: "connected", atMs: 200 }],
          timeToConnectedMs: 200,
          pairs: [],
          localCandidates: [],
          remoteCandidates: [],
          dtls: { state: "connected", role: "server", srtpProfile: "SRTP_AEAD_AES_128_GCM", fingerprintVerified: true, startedAtMs: 200, handshakeMs: 160, datagramsSent: 6, datagramsReceived: 6 },
          media: {
            kind: "audio",
            codec: "opus/48000/2",
            offeredDirection: "sendrecv",
            answeredDirection: "sendrecv",
            durationMs: 6000,
            sent: { packets: 300, bytes: 39000 },
            rtcpReceived: 5,
            farSideReports: { count: 4, packetsReceived: 250, packetsLost: 0, fractionLostPct: 0, jitterMs: 1.2, rttMs: 40 },
            received: { packets: 0, bytes: 0, ssrcs: 0 },
          },
        },
      ],
    };
  }

  it("Markdown: an Audio row marked failed with both directions' counts", () => {
    const md = renderMarkdown(reportOf(oneWay()));
    expect(md).toContain("| Audio via `http://198.51.100.20:7860/api/offer` | RTP | ❌ |");
    expect(md).toContain("to the far side: 300 packets sent, far side received 250 (lost 0, jitter 1.2 ms, RTT 40 ms)");
    expect(md).toContain("from the far side: nothing received");
  });

  it("JUnit: the connection's testcase fails on the one-way finding and carries the audio lines", () => {
    const suites = parseJunit(renderJunit(reportOf(oneWay())));
    const connectivity = suites.testsuite.find((s) => s.name === "rtc-doctor.connectivity");
    const [attempt] = connectivity?.testcase ?? [];
    expect(attempt?.failure?.type).toBe("media-one-way");
    expect(attempt?.["system-out"]).toContain("DTLS connected, rtc-doctor the server, handshake 160 ms");
    expect(attempt?.["system-out"]).toContain("from the far side: nothing received");
  });
});
