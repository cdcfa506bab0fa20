import { describe, expect, it } from "vitest";
import { candidateFromLine } from "../../../src/webrtc/candidate-line.js";

describe("candidateFromLine (RFC 8839 candidate-attribute, werift's onicecandidate lines)", () => {
  it.each([
    ["candidate:1 1 udp 2130706431 192.0.2.2 50000 typ host", { type: "host", protocol: "udp", address: "192.0.2.2", port: 50000, component: 1, addressClass: "public", family: 4 }],
    [
      "candidate:2 1 UDP 1694498815 198.51.100.7 40000 typ srflx raddr 192.0.2.2 rport 50000 generation 0",
      { type: "srflx", protocol: "udp", address: "198.51.100.7", port: 40000, relatedAddress: "192.0.2.2", relatedPort: 50000 },
    ],
    ["a=candidate:3 1 tcp 1518280447 192.0.2.2 9 typ host tcptype active", { type: "host", protocol: "tcp", port: 9, tcpType: "active" }],
    ["candidate:4 1 udp 16777215 203.0.113.5 61000 typ relay raddr 198.51.100.7 rport 40000", { type: "relay", address: "203.0.113.5" }],
    ["candidate:5 1 udp 2130706431 10.1.2.3 50000 typ host", { addressClass: "private" }],
  ])("parses %s", (line, expected) => {
    expect(candidateFromLine(line)).toMatchObject(expected);
  });

  it.each(["", "candidate:1 1 udp 1 192.0.2.2 5000 host", "candidate:1 1 sctp 1 192.0.2.2 5000 typ host", "candidate:1 1 udp 1 192.0.2.2 5000 typ weird"])(
    "rejects %j",
    (line) => {
      expect(candidateFromLine(line)).toBeUndefined();
    },
  );
});
