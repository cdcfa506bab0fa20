import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { tlsFactFrom } from "../../../src/probes/tls-certificate.js";

const NOW = new Date("2026-06-01T00:00:00Z");

function cert(overrides: Partial<PeerCertificate> = {}): PeerCertificate {
  return {
    subject: { CN: "turn.example.com", O: "Example" },
    issuer: { CN: "Example CA", O: "Example" },
    subjectaltname: "DNS:turn.example.com, DNS:*.turn.example.com",
    valid_from: "May  1 00:00:00 2026 GMT",
    valid_to: "Jun 11 12:00:00 2026 GMT",
    ...overrides,
  } as PeerCertificate;
}

describe("tlsFactFrom", () => {
  it("names subject, issuer, SANs and validity, and counts whole days left", () => {
    const fact = tlsFactFrom({ authorized: true, protocol: "TLSv1.3", certificate: cert() }, "turn.example.com", NOW);
    expect(fact).toEqual({
      servername: "turn.example.com",
      protocol: "TLSv1.3",
      subject: "turn.example.com",
      issuer: "Example CA",
      subjectAltNames: ["DNS:turn.example.com", "DNS:*.turn.example.com"],
      validFrom: "2026-05-01T00:00:00.000Z",
      validTo: "2026-06-11T12:00:00.000Z",
      daysRemaining: 10,
      chainVerified: true,
      hostnameMatches: true,
      verifyError: undefined,
      selfSigned: false,
    });
  });

  it("checks the name like a browser: wildcard one level, other names do not match", () => {
    const handshake = { authorized: true, certificate: cert() };
    expect(tlsFactFrom(handshake, "eu.turn.example.com", NOW).hostnameMatches).toBe(true);
    expect(tlsFactFrom(handshake, "a.b.turn.example.com", NOW).hostnameMatches).toBe(false);
    expect(tlsFactFrom(handshake, "other.example.com", NOW).hostnameMatches).toBe(false);
    expect(tlsFactFrom(handshake, "192.0.2.1", NOW).hostnameMatches).toBe(false);
  });

  it("reports an expired certificate with negative days and Node's verify error", () => {
    const fact = tlsFactFrom(
      { authorized: false, authorizationError: "CERT_HAS_EXPIRED", certificate: cert({ valid_to: "May 20 00:00:00 2026 GMT" }) },
      "turn.example.com",
      NOW,
    );
    expect(fact).toMatchObject({ chainVerified: false, verifyError: "CERT_HAS_EXPIRED", daysRemaining: -12 });
  });

  it("recognises a self-signed certificate", () => {
    const name = { CN: "turn.example.com" };
    const fact = tlsFactFrom(
      { authorized: false, authorizationError: "DEPTH_ZERO_SELF_SIGNED_CERT", certificate: cert({ subject: name, issuer: name }) },
      "turn.example.com",
      NOW,
    );
    expect(fact).toMatchObject({ selfSigned: true, chainVerified: false, hostnameMatches: true });
  });

  it("falls back to the full name when there is no CN, and survives a missing certificate", () => {
    expect(tlsFactFrom({ authorized: true, certificate: cert({ subject: { O: "Example", C: "DE" } }) }, "turn.example.com", NOW).subject).toBe("O=Example, C=DE");
    expect(tlsFactFrom({ authorized: false }, "turn.example.com", NOW)).toEqual({
      servername: "turn.example.com",
      protocol: undefined,
      chainVerified: false,
      hostnameMatches: false,
      verifyError: "UNKNOWN",
    });
  });
});
