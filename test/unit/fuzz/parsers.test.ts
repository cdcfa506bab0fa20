import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { parseIceServerList } from "../../../src/config/ice-servers.js";
import { parseIceUrl } from "../../../src/config/ice-url.js";
import { parseExpectation } from "../../../src/config/expectations.js";
import { analyseRestUsername } from "../../../src/config/rest-username.js";
import { describeJsonError } from "../../../src/config/json-input.js";
import { explain } from "../../../src/explain/explain.js";
import { analyseSdp, analyseCandidateLine } from "../../../src/sdp/analyse.js";
import { describeLinks, iceServersFromLinks, linkLimitProblem, parseLinks } from "../../../src/signalling/link-header.js";
import { bodySummary, MAX_BODY_SUMMARY_CHARS } from "../../../src/signalling/body-text.js";
import { describeBytes } from "../../../src/stun/stream-channel.js";
import { decode, errorCodeOf, mappedAddressOf, newRequest, methods, addressAttribute, stringAttribute } from "../../../src/stun/message.js";

// Every parser rtc-doctor owns, fed random and mutated input: it returns, or throws its own typed
// error (a ConfigError or a subclass: exit 2), never anything else (a bug: exit 3).
const RUNS = { numRuns: Number(process.env["RTC_DOCTOR_FUZZ_RUNS"] ?? 300) };

function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
  }
}

/** Real inputs as seeds, then bytes flipped, cut and repeated. */
function mutations(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 8 })), { maxLength: 6 })).map(([seed, edits]) => {
    let s = seed;
    for (const [at, len, insert] of edits) {
      const i = s.length === 0 ? 0 : at % s.length;
      s = s.slice(0, i) + insert + s.slice(i + (len % 16));
    }
    return s;
  });
}

const fixtureTexts = (dir: string) => readdirSync(new URL(`../../fixtures/${dir}/`, import.meta.url)).filter((f) => !f.endsWith(".md")).map((f) => readFileSync(new URL(`../../fixtures/${dir}/${f}`, import.meta.url), "utf8"));

describe("fuzz: parsers throw only their own typed errors", () => {
  it("STUN messages: decode and the attribute readers never throw on any bytes", () => {
    const real = Buffer.from(newRequest(methods.BINDING).setAttribute("SOFTWARE", "x").bytes);
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
      fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(real.length)).map(([at, value, cut]) => {
        const b = Buffer.from(real);
        b[at] = value;
        return b.subarray(0, Math.max(20, cut));
      }),
    );
    fc.assert(
      fc.property(bytes, (data) => {
        const m = decode(data);
        if (m) {
          errorCodeOf(m);
          mappedAddressOf(m);
          addressAttribute(m, "OTHER-ADDRESS");
          stringAttribute(m, "SOFTWARE");
        }
      }),
      RUNS,
    );
  });

  it("SDP analysis", () => {
    const seeds = fixtureTexts("sdp");
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), mutations(seeds)), (text) => onlyTyped(() => analyseSdp(text))), RUNS);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (line) => onlyTyped(() => analyseCandidateLine(`candidate:${line}`))), RUNS);
  });

  it("explain: SDPs, webrtc-internals dumps and reports, mutated", () => {
    const seeds = [...fixtureTexts("sdp"), ...fixtureTexts("webrtc-internals")];
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.json(), mutations(seeds)), (text) => onlyTyped(() => explain(text))), { numRuns: Math.round(RUNS.numRuns / 1.5) });
  });

  it("Link headers", () => {
    const seed = '<stun:stun.example.net>; rel="ice-server", <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"';
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutations([seed])), (header) => {
        parseLinks(header);
        iceServersFromLinks(header);
        describeLinks(header);
        linkLimitProblem(header);
      }),
      RUNS,
    );
  });

  it("signalling error bodies and the first bytes of a non-TLS or non-STUN answer: one bounded line, never a throw", () => {
    const page = '<html><head><style>a{b:c}</style></head><body><h1>502 &amp; Bad</h1><!-- x --></body></html>';
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), mutations([page, '{"error":{"message":"no"}}'])), fc.constantFrom("text/html", "application/json", ""), (body, type) => {
        const line = bodySummary(body, type);
        expect(line.length).toBeLessThanOrEqual(MAX_BODY_SUMMARY_CHARS);
        expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      RUNS,
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void describeBytes(Buffer.from(bytes))), RUNS);
  });

  it("TURN REST usernames, ICE URLs, expectations, ICE server lists and JSON error descriptions", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (u) => void analyseRestUsername(u)), RUNS);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 120 }), mutations(["turn:turn.example.net:3478?transport=tcp", "stun:[2001:db8::1]:3478", "turns:a.example"])), (raw) => onlyTyped(() => parseIceUrl(raw))), RUNS);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), mutations(["relay:tls", "nat:!symmetric", "rtt<150"])), (raw) => onlyTyped(() => parseExpectation(raw))), RUNS);
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyTyped(() => parseIceServerList(value, "x"))), RUNS);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void describeJsonError(text)), RUNS);
  });
});

it("the fuzz seeds are real: fixtures exist", () => {
  expect(fixtureTexts("sdp").length).toBeGreaterThan(2);
});
