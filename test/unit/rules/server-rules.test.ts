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
import { healthyFacts, withServer } from "../../helpers/facts.js";
import type { ProbeError } from "../../../src/facts/index.js";

const failed = (error: ProbeError) => ({ ok: false, error, relayedAddress: undefined, mappedAddress: undefined });
const timeout: ProbeError = { code: "timeout", message: "no answer after 7 tries in 3000 ms" };

describe("dns-failure", () => {
  it("fires when a host does not resolve, pointing at its dns fact", () => {
    const facts = withServer(healthyFacts(), 3, {
      ...failed({ code: "dns-failure", message: "ENOTFOUND" }),
      dns: { host: "turn.example.net", resolved: true, ok: false, ipv4: [], ipv6: [], durationMs: 3, error: { code: "dns-failure", message: "ENOTFOUND" } },
    });
    const hits = dnsFailure.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.evidence[0]?.path).toBe("/servers/3/dns");
    expect(hits[0]?.explanation).toContain("turn.example.net");
  });
});

describe("dns-failure when nothing resolves", () => {
  it("names the resolver once instead of blaming every host", () => {
    const dnsFail = (host: string) => ({
      ok: false,
      host,
      error: { code: "dns-failure" as const, message: "NXDOMAIN" },
      dns: { host, resolved: true, ok: false, ipv4: [], ipv6: [], durationMs: 3, error: { code: "dns-failure" as const, message: "NXDOMAIN" } },
    });
    let facts = withServer(healthyFacts(), 0, dnsFail("a.example"));
    facts = withServer(facts, 3, dnsFail("b.example"));
    // Servers 1 and 2 are IP literals: nothing to resolve, so they do not count against DNS.
    const hits = dnsFailure.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.title).toMatch(/DNS does not work from here/);
    expect(hits[0]?.evidence.map((e) => e.path)).toEqual(["/servers/0/dns", "/servers/3/dns"]);
  });
});

describe("stun-server-unreachable", () => {
  it("is an error when no STUN server answers", () => {
    const hits = stunServerUnreachable.check(withServer(healthyFacts(), 0, failed(timeout)));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.severity).toBe("error");
    expect(hits[0]?.evidence[0]?.path).toBe("/servers/0/error");
  });

  it("is a warning when another STUN server answered", () => {
    const facts = healthyFacts();
    facts.servers.push({ ...facts.servers[0]!, index: 4, url: "stun:198.51.100.9:3478", ...failed(timeout) });
    const hits = stunServerUnreachable.check(facts);
    expect(hits.map((h) => h.severity)).toEqual(["warning"]);
  });
});

describe("UDP blocked on the whole network", () => {
  it("leaves the UDP timeouts to the udp-blocked finding instead of one finding per server", () => {
    let facts = withServer(healthyFacts(), 0, failed(timeout));
    facts = withServer(facts, 1, failed(timeout));
    facts = withServer(facts, 2, failed({ code: "connection-refused", message: "connection refused" }));
    facts.nat = { mapping: "unknown", filtering: "unknown", classic: "udp-blocked", method: "none", servers: [], durationMs: 3000, tests: [] };
    expect(stunServerUnreachable.check(facts)).toEqual([]);
    // The TCP refusal is not explained by blocked UDP and is still reported.
    expect(turnServerUnreachable.check(facts).map((h) => h.evidence[0]?.path)).toEqual(["/servers/2/error"]);
  });
});

describe("turn-udp-blocked and turn-server-unreachable", () => {
  it("names UDP blocking when TCP to the same TURN host works, and does not double-report it", () => {
    const facts = withServer(healthyFacts(), 1, failed(timeout));
    const hits = turnUdpBlocked.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.explanation).toMatch(/answers over TCP but not over UDP port 3478/);
    expect(turnServerUnreachable.check(facts)).toEqual([]);
  });

  it("reports an unreachable TURN server when no transport to it works", () => {
    let facts = withServer(healthyFacts(), 1, failed(timeout));
    facts = withServer(facts, 2, failed({ code: "connection-refused", message: "connection refused" }));
    expect(turnUdpBlocked.check(facts)).toEqual([]);
    const hits = turnServerUnreachable.check(facts);
    expect(hits).toHaveLength(2);
    expect(hits[1]?.fix).toMatch(/Nothing accepts TCP connections/);
  });
});

describe("turn-auth-failed", () => {
  it("fires on 401 after credentials, with the realm as evidence", () => {
    const facts = withServer(healthyFacts(), 1, { ...failed({ code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", message: "rejected" }), realm: "lab" });
    const hits = turnAuthFailed.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.evidence.map((e) => e.path)).toEqual(["/servers/1/error", "/servers/1/realm"]);
    expect(hits[0]?.evidence[0]?.fact).toContain("STUN 401 Unauthorized");
  });

  it("tells one refusal over several transports of the same host once, with each URL as evidence", () => {
    const refused = failed({ code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", message: "rejected" });
    let facts = withServer(healthyFacts(), 1, refused);
    facts = withServer(facts, 2, refused);
    const hits = turnAuthFailed.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.explanation).toMatch(/^Every URL of this TURN server \(turn:198\.51\.100\.1:3478\?transport=udp, turn:198\.51\.100\.1:3478\?transport=tcp\) answered 401/);
    expect(hits[0]?.evidence.map((e) => e.path)).toEqual(["/servers/1/error", "/servers/2/error"]);
  });

  it("fires on a persistent 438", () => {
    const hits = turnAuthFailed.check(withServer(healthyFacts(), 1, failed({ code: "stale-nonce", stunErrorCode: 438, message: "stale" })));
    expect(hits[0]?.explanation).toMatch(/438 Stale Nonce/);
  });
});

describe("turn-quota-or-capacity", () => {
  it.each([
    ["allocation-quota-reached", 486, /486 Allocation Quota Reached/],
    ["insufficient-capacity", 508, /508 Insufficient Capacity/],
  ] as const)("fires on %s", (code, stun, text) => {
    const hits = turnQuotaOrCapacity.check(withServer(healthyFacts(), 1, failed({ code, stunErrorCode: stun, message: "x" })));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.explanation).toMatch(text);
  });
});

describe("turn-allocation-refused", () => {
  it("fires on 403 with a specific fix, and leaves 401 to turn-auth-failed", () => {
    const facts = withServer(healthyFacts(), 1, failed({ code: "forbidden", stunErrorCode: 403, message: "403 Forbidden" }));
    expect(turnAllocationRefused.check(facts)[0]?.fix).toMatch(/403/);
    expect(turnAllocationRefused.check(withServer(healthyFacts(), 1, failed({ code: "wrong-credentials", stunErrorCode: 401, message: "x" })))).toEqual([]);
  });
});

describe("turn-tls-certificate", () => {
  const tls = healthyFacts().servers[3]!.tls!;
  it("fires as an error on an untrusted chain", () => {
    const hits = turnTlsCertificate.check(withServer(healthyFacts(), 3, { tls: { ...tls, chainVerified: false, verifyError: "SELF_SIGNED_CERT_IN_CHAIN", selfSigned: true } }));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.severity).toBeUndefined();
    expect(hits[0]?.explanation).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it("fires on a wrong host name", () => {
    const hits = turnTlsCertificate.check(withServer(healthyFacts(), 3, { tls: { ...tls, hostnameMatches: false } }));
    expect(hits[0]?.explanation).toMatch(/not issued for 'turn.example.net'/);
  });

  it("warns 14 days before expiry, not 15", () => {
    expect(turnTlsCertificate.check(withServer(healthyFacts(), 3, { tls: { ...tls, daysRemaining: 15 } }))).toEqual([]);
    const hits = turnTlsCertificate.check(withServer(healthyFacts(), 3, { tls: { ...tls, daysRemaining: 13 } }));
    expect(hits[0]?.severity).toBe("warning");
  });

  it("reports a failed handshake", () => {
    const hits = turnTlsCertificate.check(withServer(healthyFacts(), 3, failed({ code: "tls-handshake-failed", message: "TLS handshake failed: wrong version number" })));
    expect(hits[0]?.explanation).toMatch(/wrong version number/);
  });
});

describe("no-turn-configured", () => {
  it("warns when only STUN is configured", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun");
    const hits = noTurnConfigured.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.evidence[0]?.path).toBe("/config");
  });
});

describe("turn-not-on-443", () => {
  it("warns when turns: is only on 5349", () => {
    const facts = withServer(healthyFacts(), 3, { url: "turns:turn.example.net:5349", port: 5349 });
    const hits = turnNotOn443.check(facts);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.explanation).toMatch(/TURN over TLS is configured, but only on port 5349/);
    expect(hits[0]?.evidence.map((e) => e.path)).toEqual(["/servers/1", "/servers/2", "/servers/3"]);
  });

  it("warns when TURN is UDP only", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun" || s.transport === "udp");
    expect(turnNotOn443.check(facts)[0]?.explanation).toMatch(/^TURN is configured over UDP only/);
  });

  it("leaves the no-TURN case to no-turn-configured", () => {
    const facts = healthyFacts();
    facts.servers = facts.servers.filter((s) => s.kind === "stun");
    expect(turnNotOn443.check(facts)).toEqual([]);
  });
});
