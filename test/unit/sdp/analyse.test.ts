import { describe, expect, it } from "vitest";
import { analyseCandidateLine, analyseSdp } from "../../../src/sdp/analyse.js";
import { SdpError } from "../../../src/sdp/errors.js";
import { ConfigError } from "../../../src/config/errors.js";
import { classifyAddress } from "../../../src/net/address-class.js";
import { fixture } from "../../helpers/sessions.js";

describe("analyseSdp on captured werift SDPs", () => {
  it("an offer taken before gathering has no candidates, trickle announced, no end-of-candidates", () => {
    const sdp = analyseSdp(fixture("sdp/werift-offer-before-gathering.sdp"));
    expect(sdp.candidates).toEqual([]);
    expect(sdp.counts).toEqual({ host: 0, srflx: 0, prflx: 0, relay: 0 });
    expect(sdp).toMatchObject({ endOfCandidates: false, trickle: true, iceUfrag: true, fingerprint: true, setup: "actpass", dataChannel: true, bundle: true, iceLite: false });
    expect(sdp.media).toEqual([{ kind: "application", mid: "0", port: 9, protocol: "UDP/DTLS/SCTP", candidates: 0 }]);
  });

  it("a gathered offer lists each candidate with type, family and address class", () => {
    const { offer } = JSON.parse(fixture("sdp/werift-offer-answer.json")) as { offer: string };
    const sdp = analyseSdp(offer, "offer");
    expect(sdp.type).toBe("offer");
    expect(sdp.endOfCandidates).toBe(true);
    expect(sdp.counts).toEqual({ host: 2, srflx: 1, prflx: 0, relay: 1 });
    expect(sdp.candidates.map((c) => [c.type, c.family, c.addressClass])).toEqual([
      ["host", 4, "public"],
      ["host", 6, "private"],
      ["srflx", 4, "loopback"],
      ["relay", 4, "loopback"],
    ]);
    expect(sdp.candidates[2]).toMatchObject({ relatedAddress: "192.0.2.2", protocol: "udp", component: 1, mid: "0" });
  });

  it("keeps no ice-pwd and no fingerprint value", () => {
    const text = fixture("sdp/werift-offer-before-gathering.sdp");
    const pwd = /a=ice-pwd:(\S+)/.exec(text)?.[1] ?? "";
    const json = JSON.stringify(analyseSdp(text));
    expect(pwd).not.toBe("");
    expect(json).not.toContain(pwd);
    expect(json).not.toMatch(/[0-9A-F]{2}(:[0-9A-F]{2}){8}/);
  });

  it("classifies the private and container-bridge answers", () => {
    expect(analyseSdp(fixture("sdp/werift-answer-private-host-only.sdp")).candidates.map((c) => c.addressClass)).toEqual(["private"]);
    expect(analyseSdp(fixture("sdp/werift-answer-docker-bridge-only.sdp")).candidates.map((c) => c.addressClass)).toEqual(["container-bridge"]);
  });

  it("collapses candidates that BUNDLE repeats in every section", () => {
    const line = "a=candidate:1 1 udp 2122260223 203.0.113.5 50000 typ host";
    const sdp = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n${line}\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n${line}\r\n`;
    const fact = analyseSdp(sdp);
    expect(fact.candidates).toHaveLength(1);
    expect(fact.media.map((m) => m.candidates)).toEqual([1, 1]);
    expect(fact.bundle).toBe(true);
  });

  it.each([
    ["", /empty/],
    ["hello", /must start with 'v=0'/],
    ["v=0\r\nthis is not sdp\r\n", /line 2 is not/],
    ["v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n", /no media section/],
    ["v=0\r\nm=audio 9 UDP 0\r\na=candidate:1 1 sctp 1 1.2.3.4 5 typ host\r\n", /unknown transport/],
  ])("rejects %j with a one-line SdpError (a ConfigError: exit 2)", (input, message) => {
    let error: unknown;
    try {
      analyseSdp(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SdpError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("analyseCandidateLine", () => {
  it("reads trickled candidates, with or without a=, and TCP types", () => {
    expect(analyseCandidateLine("candidate:2 1 tcp 1518280447 192.168.1.4 9 typ host tcptype active")).toMatchObject({
      type: "host", protocol: "tcp", tcpType: "active", addressClass: "private", family: 4,
    });
    expect(analyseCandidateLine("a=candidate:3 1 udp 2122194687 0b5e2c4d-1a2b-4c3d-8e9f-0123456789ab.local 54321 typ host")).toMatchObject({ addressClass: "mdns" });
    expect(analyseCandidateLine("")).toBeUndefined();
  });
});

describe("classifyAddress", () => {
  it.each([
    ["10.1.2.3", "private"], ["172.31.255.1", "private"], ["192.168.0.1", "private"], ["172.17.0.3", "container-bridge"],
    ["100.64.0.1", "cgnat"], ["127.0.0.1", "loopback"], ["169.254.1.1", "link-local"], ["0.0.0.0", "unspecified"],
    ["8.8.8.8", "public"], ["::1", "loopback"], ["fe80::1", "link-local"], ["fd12::1", "private"], ["2001:db8::1", "public"],
    ["::ffff:10.0.0.1", "private"], ["abc.local", "mdns"], ["turn.example.com", "hostname"],
  ])("%s is %s", (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });
});
