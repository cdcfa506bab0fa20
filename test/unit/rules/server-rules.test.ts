import { describe, expect, it } from "vitest";
import { dnsFailure } from "../../../src/rules/dns-failure.js";
import { stunServerUnreachable } from "../../../src/rules/stun-server-unreachable.js";
import { turnServerUnreachable } from "../../../src/rules/turn-server-unreachable.js";
import { turnUdpBlocked } from "../../../src/rules/turn-udp-blocked.js";
import { turnAuthFailed } from "../../../src/rules/turn-auth-failed.js";
import { turnQuotaOrCapacity } from "../../../src/rules/turn-quota-or-capacity.js";
import { turnAllocationRefused } from "../../../src/rules/turn-allocation-refused.js";
import { turnTlsCertificate } from "../../../src/rules/turn-tls-certificate.js";
import { noTurnConfigured } from "../../../src/rules/no-turn-configured.js";
import { turnNotOn443 } from "../../../src/rules/turn-not-on-443.js";
import { udpBlocked } from "../../../src/rules/udp-blocked.js";
import { rules, runRules } from "../../../src/rules/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";
import type { ProbeError } from "../../../src/facts/index.js";

const failed = (error: ProbeError) => ({ ok: false, error, relayedAddress: undefined, mappedAddress: undefined });
const timeout: ProbeError = { code: "timeout", detail: "no answer after 7 tries in 3000 ms", message: "no answer after 7 tries in 3000 ms" };

describe("dns-failure", () => {
  it("fires when a host does not resolve, pointing at its dns fact", () => {
    const facts = withServer(healthyFacts(), 3, {
      ...failed({ code: "dns-failure", detail: "ENOTFOUND", message: "ENOTFOUND" }),
      dns: { host: "turn.example.net", resolved: true, ok: false, ipv4: [], ipv6: [], durationMs: 3, error: { code: "dns-failure", detail: "ENOTFOUND", message: "ENOTFOUND" } },
    });
    expect(hitsOf(dnsFailure, facts)).toEqual([
      { rule: "dns-failure", message: "host-does-not-resolve", severity: "error", evidence: ["/servers/3/dns"], subjects: ["/servers/3"] },
    ]);
    expect(dnsFailure.check(facts)[0]?.evidence[0]?.fact).toContain("turn.example.net");
  });
});

describe("dns-failure when nothing resolves", () => {
  it("names the resolver once instead of blaming every host", () => {
    const dnsFail = (host: string) => ({
      ok: false,
      host,
      error: { code: "dns-failure" as const, detail: "NXDOMAIN", message: "NXDOMAIN" },
      dns: { host, resolved: true, ok: false, ipv4: [], ipv6: [], durationMs: 3, error: { code: "dns-failure" as const, detail: "NXDOMAIN", message: "NXDOMAIN" } },
    });
    let facts = withServer(healthyFacts(), 0, dnsFail("a.example"));
    facts = withServer(facts, 3, dnsFail("b.example"));
    // Servers 1 and 2 are IP literals: nothing to resolve, so they do not count against DNS.
    expect(hitsOf(dnsFailure, facts)).toEqual([
      { rule: "dns-failure", message: "resolver-fails", severity: "error", evidence: ["/servers/0/dns", "/servers/3/dns"], subjects: ["/servers/0", "/servers/3"] },
    ]);
  });
});

describe("stun-server-unreachable", () => {
  it("is an error when no STUN server answers", () => {
    expect(hitsOf(stunServerUnreachable, withServer(healthyFacts(), 0, failed(timeout)))).toEqual([
      { rule: "stun-server-unreachable", message: "none-answers", severity: "error", evidence: ["/servers/0/error"], subjects: ["/servers/0"] },
    ]);
  });

  it("is a warning when another STUN server answered", () => {
    const facts = healthyFacts();
    facts.servers.push({ ...facts.servers[0]!, index: 4, url: "stun:198.51.100.9:3478", ...failed(timeout) });
    expect(hitsOf(stunServerUnreachable, facts).map((h) => [h.message, h.severity])).toEqual([["one-of-several", "warning"]]);
  });
});

describe("UDP blocked on the whole network", () => {
  it("leaves the UDP timeouts to the udp-blocked finding instead of one finding per server", () => {
    let facts = withServer(healthyFacts(), 0, failed(timeout));
    facts = withServer(facts, 1, failed(timeout));
    facts = withServer(facts, 2, failed({ code: "connection-refused", detail: "connection refused", message: "connection refused" }));
    facts.nat = { mapping: "unknown", filtering: "unknown", classic: "udp-blocked", method: "none", servers: [], durationMs: 3000, tests: [] };
    expect(hitsOf(udpBlocked, facts)[0]?.subjects).toEqual(["/nat", "/servers/0", "/servers/1"]);
    const findings = reported(runRules(rules, facts));
    expect(findings.filter((f) => f.rule === "stun-server-unreachable")).toEqual([]);
    // The TCP refusal is not explained by blocked UDP and is still reported.
    expect(findings.filter((f) => f.rule === "turn-server-unreachable").map((f) => [f.message, f.evidence[0]])).toEqual([["connection-refused", "/servers/2/error"]]);
  });
});

describe("turn-udp-blocked and turn-server-unreachable", () => {
  it("names UDP blocking when TCP to the same TURN host works, and does not double-report it", () => {
    const facts = withServer(healthyFacts(), 1, failed(timeout));
    expect(hitsOf(turnUdpBlocked, facts)).toEqual([
      {
        rule: "turn-udp-blocked",
        message: "udp-blocked-tcp-works",
        severity: "warning",
        evidence: ["/servers/1/error", "/servers/2"],
        subjects: ["/servers/1"],
      },
    ]);
    // On its own the unreachable rule sees the timeout; the engine hides it behind the root cause.
    expect(kinds(hitsOf(turnServerUnreachable, facts))).toEqual(["turn-server-unreachable/no-answer"]);
    expect(kinds(reported(runRules(rules, facts)))).toEqual(["turn-udp-blocked/udp-blocked-tcp-works"]);
  });

  it("reports an unreachable TURN server when no transport to it works", () => {
    let facts = withServer(healthyFacts(), 1, failed(timeout));
    facts = withServer(facts, 2, failed({ code: "connection-refused", detail: "connection refused", message: "connection refused" }));
    expect(turnUdpBlocked.check(facts)).toEqual([]);
    expect(hitsOf(turnServerUnreachable, facts)).toEqual([
      { rule: "turn-server-unreachable", message: "no-answer", severity: "error", evidence: ["/servers/1/error"], subjects: ["/servers/1"] },
      { rule: "turn-server-unreachable", message: "connection-refused", severity: "error", evidence: ["/servers/2/error"], subjects: ["/servers/2"] },
    ]);
  });
});

describe("turn-auth-failed", () => {
  it("fires on 401 after credentials, with the realm as evidence", () => {
    const facts = withServer(healthyFacts(), 1, { ...failed({ code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "rejected", message: "rejected" }), realm: "lab" });
    expect(hitsOf(turnAuthFailed, facts)).toEqual([
      { rule: "turn-auth-failed", message: "unauthorized", severity: "error", evidence: ["/servers/1/error", "/servers/1/realm"], subjects: ["/servers/1"] },
    ]);
    expect(turnAuthFailed.check(facts)[0]?.evidence[0]?.fact).toContain("STUN 401 Unauthorized");
  });

  it("tells one refusal over several transports of the same host once, with each URL as evidence", () => {
    const refused = failed({ code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "rejected", message: "rejected" });
    let facts = withServer(healthyFacts(), 1, refused);
    facts = withServer(facts, 2, refused);
    expect(hitsOf(turnAuthFailed, facts)).toEqual([
      { rule: "turn-auth-failed", message: "unauthorized", severity: "error", evidence: ["/servers/1/error", "/servers/2/error"], subjects: ["/servers/1", "/servers/2"] },
    ]);
    // The one finding names every URL it stands for.
    expect(turnAuthFailed.check(facts)[0]?.explanation).toMatch(/^Every URL of this TURN server \(turn:198\.51\.100\.1:3478\?transport=udp, turn:198\.51\.100\.1:3478\?transport=tcp\) answered 401/);
  });

  it("names a TURN URL that had no credentials, where nothing was sent, apart from a 401", () => {
    const facts = withServer(healthyFacts(), 1, failed({ code: "no-credentials", detail: "no username/credential configured for this TURN URL; no Allocate was sent", message: "no username/credential configured for this TURN URL; no Allocate was sent" }));
    expect(hitsOf(turnAuthFailed, facts)).toEqual([
      { rule: "turn-auth-failed", message: "no-credentials", severity: "error", evidence: ["/servers/1/error"], subjects: ["/servers/1"] },
    ]);
    expect(turnAuthFailed.check(withServer(facts, 1, { source: "signalling" }))[0]?.fix).toMatch(/signalling server hands out/);
  });

  it("fires on a persistent 438", () => {
    expect(hitsOf(turnAuthFailed, withServer(healthyFacts(), 1, failed({ code: "stale-nonce", stunErrorCode: 438, detail: "stale", message: "stale" })))).toEqual([
      { rule: "turn-auth-failed", message: "stale-nonce", severity: "error", evidence: ["/servers/1/error"], subjects: ["/servers/1"] },
    ]);
  });
});

describe("turn-quota-or-capacity", () => {
  it.each([
    ["allocation-quota-reached", 486, "quota-reached"],
    ["insufficient-capacity", 508, "insufficient-capacity"],
  ] as const)("fires on %s", (code, stun, message) => {
    expect(hitsOf(turnQuotaOrCapacity, withServer(healthyFacts(), 1, failed({ code, stunErrorCode: stun, detail: "x", message: "x" })))).toEqual([
      { rule: "turn-quota-or-capacity", message, severity: "error", evidence: ["/servers/1/error"], subjects: ["/servers/1"] },
    ]);
  });
});

describe("turn-allocation-refused", () => {
  it("fires on 403 with its own message, and leaves 401 to turn-auth-failed", () => {
    const facts = withServer(healthyFacts(), 1, failed({ code: "forbidden", stunErrorCode: 403, detail: "403 Forbidden", message: "403 Forbidden" }));
    expect(hitsOf(turnAllocationRefused, facts)).toEqual([
      { rule: "turn-allocation-refused", message: "forbidden", severity: "error", evidence: ["/servers/1/error"], subjects: ["/servers/1"] },
    ]);
    expect(turnAllocationRefused.check(withServer(healthyFacts(), 1, failed({ code: "wrong-credentials", stunErrorCode: 401, detail: "x", message: "x" })))).toEqual([]);
  });

  it.each([
    ["allocation-mismatch", "allocation-mismatch"],
    ["unsupported-transport-protocol", "udp-relay-unsupported"],
    ["malformed-reply", "malformed-reply"],
    ["stun-error", "refused"],
  ] as const)("names %s with its own message", (code, message) => {
    expect(kinds(hitsOf(turnAllocationRefused, withServer(healthyFacts(), 1, failed({ code, detail: "x", message: "x" }))))).toEqual([`turn-allocation-refused/${message}`]);
  });
});

describe("turn-tls-certificate", () => {
  const tls = healthyFacts().servers[3]!.tls!;
  it("fires as an error on an untrusted chain", () => {
    const facts = withServer(healthyFacts(), 3, { tls: { ...tls, chainVerified: false, verifyError: "SELF_SIGNED_CERT_IN_CHAIN", selfSigned: true } });
    expect(hitsOf(turnTlsCertificate, facts)).toEqual([{ rule: "turn-tls-certificate", message: "invalid", severity: "error", evidence: ["/servers/3/tls"], subjects: ["/servers/3"] }]);
    expect(turnTlsCertificate.check(facts)[0]?.explanation).toContain("SELF_SIGNED_CERT_IN_CHAIN");
  });

  it("fires on a wrong host name", () => {
    const facts = withServer(healthyFacts(), 3, { tls: { ...tls, hostnameMatches: false } });
    expect(kinds(hitsOf(turnTlsCertificate, facts))).toEqual(["turn-tls-certificate/invalid"]);
    expect(turnTlsCertificate.check(facts)[0]?.explanation).toContain("not issued for 'turn.example.net'");
  });

  it("warns 14 days before expiry, not 15", () => {
    expect(turnTlsCertificate.check(withServer(healthyFacts(), 3, { tls: { ...tls, daysRemaining: 15 } }))).toEqual([]);
    expect(hitsOf(turnTlsCertificate, withServer(healthyFacts(), 3, { tls: { ...tls, daysRemaining: 13 } }))).toEqual([
      { rule: "turn-tls-certificate", message: "expires-soon", severity: "warning", evidence: ["/servers/3/tls/validTo"], subjects: ["/servers/3"] },
    ]);
  });

  it("says nothing about a handshake that never showed a certificate (tls-handshake's)", () => {
    const facts = withServer(healthyFacts(), 3, failed({ code: "tls-handshake-failed", detail: "TLS handshake failed: wrong version number", message: "TLS handshake failed: wrong version number" }));
    expect(hitsOf(turnTlsCertificate, facts)).toEqual([]);
  });
});

describe("no-turn-configured", () => {
  it("warns when only STUN is configured", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun");
    expect(hitsOf(noTurnConfigured, facts)).toEqual([{ rule: "no-turn-configured", message: "stun-only", severity: "warning", evidence: ["/config"], subjects: ["/config"] }]);
  });
});

describe("turn-not-on-443", () => {
  it("warns when turns: is only on 5349", () => {
    const facts = withServer(healthyFacts(), 3, { url: "turns:turn.example.net:5349", port: 5349 });
    expect(hitsOf(turnNotOn443, facts)).toEqual([
      {
        rule: "turn-not-on-443",
        message: "tls-elsewhere",
        severity: "warning",
        evidence: ["/servers/1", "/servers/2", "/servers/3"],
        subjects: ["/servers/1", "/servers/2", "/servers/3"],
      },
    ]);
    expect(turnNotOn443.check(facts)[0]?.explanation).toContain("only on port 5349");
  });

  it("warns when TURN is UDP only", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun" || s.transport === "udp");
    expect(kinds(hitsOf(turnNotOn443, facts))).toEqual(["turn-not-on-443/udp-only"]);
  });

  it("warns when TCP is on another port and there is no turns: URL", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.transport !== "tls");
    expect(kinds(hitsOf(turnNotOn443, facts))).toEqual(["turn-not-on-443/tcp-elsewhere"]);
  });

  it("leaves the no-TURN case to no-turn-configured", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun");
    expect(turnNotOn443.check(facts)).toEqual([]);
  });
});
