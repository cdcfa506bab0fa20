import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { resolveIceServers } from "../../../src/config/ice-servers.js";
import { describeJsonError, keyPath, parseJsonInput, SHOWN_VALUE_MAX, shownValue } from "../../../src/config/json-input.js";
import { parseIceUrl } from "../../../src/config/ice-url.js";

/** Every run of 3 characters of the secret: "not even in part". */
function fragments(secret: string): string[] {
  return Array.from({ length: Math.max(0, secret.length - 2) }, (_, i) => secret.slice(i, i + 3));
}

function expectNoFragment(text: string, secret: string): void {
  for (const f of fragments(secret)) expect(text).not.toContain(f);
}

describe("JSON errors say where, never what", () => {
  it("an unquoted credential: position and key path, no part of the secret (V8's own message quotes it)", () => {
    // Upper case: no run of it can be a word of the message itself ("credential", "symbol").
    const secret = "S3CRETVALUE";
    const text = `[{"urls":"turn:a.example","username":"u","credential":${secret}}]`;
    let v8 = "";
    try {
      JSON.parse(text);
    } catch (error) {
      v8 = (error as Error).message;
    }
    expect(v8).toContain("S3CRETVALU");
    const why = describeJsonError(text);
    expect(why).toBe("not valid JSON: invalid symbol at line 1, column 55 (in [0].credential)");
    expectNoFragment(why, secret);
    expect(() => resolveIceServers({ iceServers: text })).toThrow(new ConfigError(`{option:iceServers}: ${why}`));
  });

  it.each([
    ['{"iceServers": [{"urls": "stun:a"},]}', "not valid JSON: value expected at line 1, column 36 (in iceServers[1])"],
    ['{"a": 1', "not valid JSON: close brace expected at line 1, column 8 (in a)"],
    ["", "not valid JSON: value expected at line 1, column 1"],
    ['{"a":\n  "x" // note\n}', "not valid JSON: invalid comment token at line 2, column 7 (in a)"],
  ])("%j", (text, expected) => {
    expect(describeJsonError(text)).toBe(expected);
    expect(() => parseJsonInput(text, (why) => new Error(why))).toThrow(expected);
  });

  it("never quotes a fragment of an unquoted value, wherever it stands", () => {
    const secret = fc.stringMatching(/^[A-Z][A-Z0-9]{5,23}$/);
    fc.assert(
      fc.property(secret, fc.jsonValue(), fc.boolean(), (value, around, inArray) => {
        const doc = inArray ? `[${JSON.stringify(around)}, ${value}]` : `{"x": ${JSON.stringify(around)}, "credential": ${value}}`;
        const why = describeJsonError(doc);
        expect(why.startsWith("not valid JSON")).toBe(true);
        // The key path names the document's own keys ("credential"), never the value.
        expectNoFragment(why.replace(/ at line \d+, column \d+/, "").replace(/ \(in [^)]*\)$/, ""), value);
      }),
    );
  });

  it("key paths quote only names that are not identifiers, shortened", () => {
    expect(keyPath(["iceServers", 2, "urls", 0])).toBe("iceServers[2].urls[0]");
    expect(keyPath([0, "a b"])).toBe('[0]["a b"]');
  });
});

describe("echoed values are shortened", () => {
  it(`cuts at ${SHOWN_VALUE_MAX} characters`, () => {
    expect(shownValue("x".repeat(SHOWN_VALUE_MAX))).toHaveLength(SHOWN_VALUE_MAX);
    expect(shownValue("x".repeat(5_000_000))).toBe(`${"x".repeat(SHOWN_VALUE_MAX - 1)}…`);
  });

  it("a 5 MB URL is echoed in a short line", () => {
    const raw = `stun:${"a".repeat(5_000_000)}:99999`;
    let message = "";
    try {
      parseIceUrl(raw);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid ICE server URL 'stun:a+…': /);
    expect(message.length).toBeLessThan(400);
  });
});
