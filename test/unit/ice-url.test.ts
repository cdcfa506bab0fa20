import { describe, expect, it } from "vitest";
import { parseIceUrl } from "../../src/config/ice-url.js";
import { ConfigError } from "../../src/config/errors.js";

describe("parseIceUrl (RFC 7064 / 7065)", () => {
  it.each([
    ["stun:stun.example.com", { scheme: "stun", host: "stun.example.com", port: 3478, transport: "udp", hostKind: "name" }],
    ["stun:stun.l.google.com:19302", { scheme: "stun", port: 19302, transport: "udp" }],
    ["stuns:stun.example.com", { scheme: "stuns", port: 5349, transport: "tls" }],
    ["turn:198.51.100.1:3478?transport=tcp", { scheme: "turn", host: "198.51.100.1", hostKind: "ipv4", transport: "tcp", isTurn: true }],
    ["turn:turn.example.com?transport=udp", { port: 3478, transport: "udp" }],
    ["turns:turn.example.com:443?transport=tcp", { scheme: "turns", port: 443, transport: "tls" }],
    ["turns:turn.example.com", { port: 5349, transport: "tls" }],
    ["turn:[2001:db8::1]:3478", { host: "2001:db8::1", hostKind: "ipv6", port: 3478 }],
    ["stun:[::1]", { host: "::1", hostKind: "ipv6", port: 3478 }],
    ["TURN:Example.COM:80", { scheme: "turn", host: "Example.COM", port: 80 }],
    ["stun:global.stun.twilio.com:3478?transport=udp", { scheme: "stun", transport: "udp" }],
  ])("accepts %s", (raw, expected) => {
    expect(parseIceUrl(raw)).toMatchObject(expected);
  });

  it.each([
    ["http://example.com", /unknown scheme 'http:'/],
    ["turn://turn.example.com:3478", /remove the '\/\/'/],
    ["stun:", /missing host/],
    ["stun:example.com:0", /port '0'/],
    ["stun:example.com:70000", /port '70000'/],
    ["stun:example.com:abc", /port 'abc'/],
    ["turn:user:pass@turn.example.com", /credentials do not belong/],
    ["turn:2001:db8::1:3478", /in brackets/],
    ["stun:[2001:db8::1", /unterminated/],
    ["turn:example.com?transport=sctp", /transport must be udp or tcp/],
    ["turns:example.com?transport=udp", /DTLS/],
    ["turn:example.com?foo=bar", /unknown parameter 'foo'/],
    ["stun:exa mple.com", /not a valid host name/],
    ["stun:999.1.1.1", /not a valid IPv4/],
    ["nothing", /expected <scheme>/],
  ])("rejects %s", (raw, message) => {
    expect(() => parseIceUrl(raw)).toThrow(ConfigError);
    expect(() => parseIceUrl(raw)).toThrow(message);
  });
});
