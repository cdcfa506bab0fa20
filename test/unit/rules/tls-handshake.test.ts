import { describe, expect, it } from "vitest";
import type { ProbeError } from "../../../src/facts/index.js";
import { tlsHandshake } from "../../../src/rules/tls-handshake.js";
import { turnTlsCertificate } from "../../../src/rules/turn-tls-certificate.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf } from "../../helpers/rule-tester.js";

const error = (code: ProbeError["code"], detail: string): ProbeError => ({ code, detail, message: detail });
// Server 3 of the healthy facts is the turns: URL.
const failing = (e: ProbeError) => withServer(healthyFacts(), 3, { ok: false, error: e, tls: undefined, relayedAddress: undefined, mappedAddress: undefined });

describe("tls-handshake", () => {
  it.each([
    ["tls-handshake-stalled", "stalled", "TLS handshake with turn.example.com:5349 over TLS stalled: TCP connected, then no answer to the TLS ClientHello within 1000 ms"],
    ["not-tls", "not-tls", "turn.example.com:443 over TLS: the port answered the TLS ClientHello with the text 'HTTP/1.1 400 Bad Request' (HTTP), not TLS"],
    ["tls-handshake-failed", "failed", "TLS handshake with turn.example.com:5349 over TLS failed: tlsv1 alert protocol version"],
  ] as const)("%s is named as %s, with the error as evidence, and no certificate finding", (code, message, detail) => {
    const facts = failing(error(code, detail));
    expect(hitsOf(tlsHandshake, facts)).toEqual([{ rule: "tls-handshake", message, severity: "error", evidence: ["/servers/3/error"], subjects: ["/servers/3"] }]);
    expect(hitsOf(turnTlsCertificate, facts)).toEqual([]);
  });

  it("is silent for a handshake that completed, and for failures that are not TLS's", () => {
    expect(hitsOf(tlsHandshake, healthyFacts())).toEqual([]);
    expect(hitsOf(tlsHandshake, failing(error("timeout", "no TCP connection to turn.example.com:5349 within 1000 ms: the SYN got no SYN-ACK")))).toEqual([]);
  });
});
