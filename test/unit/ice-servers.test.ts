import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { normaliseIceServer, parseIceServerList, resolveIceServers, secretsOf } from "../../src/config/ice-servers.js";
import { toRTCIceServers } from "../../src/config/rtc-ice-servers.js";
import { DEFAULT_STUN_URLS } from "../../src/config/defaults.js";
import { configError } from "../helpers/config-error.js";

describe("resolveIceServers", () => {
  it("uses the built-in public STUN list when nothing is configured", () => {
    const r = resolveIceServers({ env: {} });
    expect(r.usedDefaults).toBe(true);
    expect(r.targets.map((t) => t.url.raw)).toEqual(DEFAULT_STUN_URLS);
    expect(r.targets.every((t) => t.source === "default")).toBe(true);
  });

  it("takes --stun and --turn flags with credentials only on TURN", () => {
    const r = resolveIceServers({ stun: ["stun:a.example:3478"], turn: ["turn:b.example?transport=tcp"], username: "u", credential: "s3cret" });
    expect(r.usedDefaults).toBe(false);
    expect(r.targets).toHaveLength(2);
    expect(r.targets[0]).toMatchObject({ source: "flag" });
    expect(r.targets[0]?.credential).toBeUndefined();
    expect(r.targets[1]).toMatchObject({ username: "u", credential: "s3cret", url: { transport: "tcp" } });
  });

  it("accepts RTCIceServer JSON inline, wrapped, from a file and from the environment", () => {
    const list = [{ urls: ["stun:a.example", "turn:a.example"], username: "u", credential: "p" }];
    expect(resolveIceServers({ iceServers: JSON.stringify(list) }).targets).toHaveLength(2);
    expect(resolveIceServers({ iceServers: JSON.stringify({ iceServers: list }) }).targets).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), "rtcd-"));
    writeFileSync(join(dir, "ice.json"), JSON.stringify({ iceServers: list }));
    expect(resolveIceServers({ iceServers: `@${join(dir, "ice.json")}` }).targets).toHaveLength(2);
    const fromEnv = resolveIceServers({ env: { RTC_DOCTOR_ICE_SERVERS: JSON.stringify(list) } });
    expect(fromEnv.targets.map((t) => t.source)).toEqual(["env", "env"]);
  });

  it("does not attach credentials to STUN URLs of the same RTCIceServer entry", () => {
    const r = resolveIceServers({ iceServers: JSON.stringify([{ urls: ["stun:a.example"], username: "u", credential: "p" }]) });
    expect(r.targets[0]?.credential).toBeUndefined();
  });

  it("probes a URL configured twice only once", () => {
    const r = resolveIceServers({ stun: ["stun:a.example"], iceServers: JSON.stringify([{ urls: "stun:a.example" }]) });
    expect(r.targets).toHaveLength(1);
  });

  it.each([
    [{ turn: ["turn:a.example"] }, /--turn 'turn:a.example' needs --username and --credential/],
    [{ username: "u", credential: "p" }, /no --turn URL was given/],
    [{ stun: ["turn:a.example"] }, /this is a TURN URL/],
    [{ turn: ["stun:a.example"], username: "u", credential: "p" }, /this is a STUN URL/],
    [{ iceServers: "{not json" }, /--ice-servers: not valid JSON/],
    [{ iceServers: "@/nonexistent/ice.json" }, /cannot read file '\/nonexistent\/ice.json' \(ENOENT\)/],
    [{ iceServers: '{"urls": "stun:a"}' }, /expected an array/],
    [{ iceServers: '[{"urls": []}]' }, /--ice-servers\[0\]\.urls/],
    [{ iceServers: '[{"urls": "turn:a.example"}]' }, /--ice-servers\[0\]: TURN URL 'turn:a.example' needs a username and a credential/],
    [{ iceServers: '[{"urls": "turn:a", "username": "u", "credential": {"k": 1}}]' }, /credential: expected a string/],
    [{ iceServers: '[{"urls": "ftp:a"}]' }, /unknown scheme 'ftp:'/],
    [{ env: { RTC_DOCTOR_ICE_SERVERS: "[1]" } }, /RTC_DOCTOR_ICE_SERVERS\[0\]: expected an object/],
  ])("rejects bad input %#", (inputs, message) => {
    const error = configError(() => resolveIceServers(inputs));
    expect(error.cli).toMatch(message);
    // The API's text names options, not the CLI's flags.
    expect(error.api).not.toMatch(/--[a-z]/);
  });

  it("never echoes a credential in an error", () => {
    const secret = "hunter2-very-secret";
    try {
      resolveIceServers({ iceServers: JSON.stringify([{ urls: "turn:bad host", username: "u", credential: secret }]) });
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });

  it("lists the secrets to scrub from output", () => {
    const r = resolveIceServers({ turn: ["turn:a.example"], username: "u", credential: "topsecret" });
    expect(secretsOf(r.targets)).toEqual(["topsecret"]);
  });

  it("parseIceServerList keeps username and credential", () => {
    expect(parseIceServerList([{ urls: "turn:a", username: "u", credential: "p" }], "x")).toEqual([{ urls: ["turn:a"], username: "u", credential: "p" }]);
  });
});

describe("one ICE-server model", () => {
  it("a single-string urls becomes a list where the input is parsed, and an API caller may still pass one", () => {
    expect(normaliseIceServer({ urls: "stun:a.example" })).toEqual({ urls: ["stun:a.example"] });
    const r = resolveIceServers({ env: {}, extra: [{ servers: [{ urls: "turn:t.example", username: "u", credential: "pw" }], source: "signalling" }] });
    expect(r.targets.map((t) => t.url.raw)).toEqual(["turn:t.example"]);
  });

  it("toRTCIceServers gives a peer one entry per target, credentials only on TURN", () => {
    const { targets } = resolveIceServers({
      env: {},
      iceServers: JSON.stringify([{ urls: ["stun:s.example", "turn:t.example?transport=tcp"], username: "u", credential: "pw" }]),
    });
    expect(toRTCIceServers(targets)).toEqual([{ urls: ["stun:s.example"] }, { urls: ["turn:t.example?transport=tcp"], username: "u", credential: "pw" }]);
  });
});
