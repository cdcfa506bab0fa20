import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COTURN_MAX_EXPIRY_SEC,
  analyseRestUsername,
  coturnAcceptsTimestamp,
  coturnRestTimestamp,
  restExpiryWindow,
} from "../../../src/config/rest-username.js";
import { restCredentialFact } from "../../../src/probes/rest-credential.js";
import { parseIceUrl } from "../../../src/config/ice-url.js";
import { targetOf } from "../../../src/config/target-id.js";

const now = new Date("2026-03-01T12:00:00Z");
const nowSec = now.getTime() / 1000;

/** Unix seconds with 10 digits that coturn can hold: 2001-09-09 .. 2038-01-19. */
const expirySec = fc.integer({ min: 1_000_000_000, max: COTURN_MAX_EXPIRY_SEC });
/** A user part without ':'; may be empty, may be all digits. */
const anyUser = fc.stringMatching(/^[A-Za-z0-9_.@-]{0,16}$/);
/** A user part with at least one non-digit: coturn tolerates it first. */
const textUser = fc.stringMatching(/^[A-Za-z0-9_.@-]{0,8}[A-Za-z_.@-][A-Za-z0-9_.@-]{0,8}$/);
/** A numeric user id too short to be a timestamp. */
const numericUser = fc.stringMatching(/^[1-9]\d{0,7}$/);
/** A user name whose text cannot occur in a fact by accident (no capital used in the fact's keys or dates). */
const nameUser = fc.stringMatching(/^[BCDFGHJKLMNPQRUVWXY][a-z]{5,12}$/);

const target = (username: string) => (targetOf({ url: parseIceUrl("turn:127.0.0.1:3478"), username, credential: "x", source: "flag" as const }));

describe("analyseRestUsername: the shape", () => {
  it("reads '<expiry>:<user>' in seconds, with or without a user part", () => {
    fc.assert(
      fc.property(expirySec, anyUser, (t, user) => {
        const a = analyseRestUsername(`${t}:${user}`);
        expect(a).toEqual({ order: "expiry-first", unit: "seconds", separator: ":", expiresAt: new Date(t * 1000), coturnTimestampSec: t });
        expect(analyseRestUsername(String(t))?.order).toBe("expiry-first");
      }),
    );
  });

  it("reads '<user>:<expiry>' as swapped, with the expiry meant", () => {
    fc.assert(
      fc.property(expirySec, fc.oneof(textUser, numericUser), (t, user) => {
        const a = analyseRestUsername(`${user}:${t}`);
        expect(a).toMatchObject({ order: "user-first", unit: "seconds", separator: ":" });
        expect(a?.expiresAt.getTime()).toBe(t * 1000);
      }),
    );
  });

  it("reads a 13-digit expiry as milliseconds, first or last", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000_000, max: 9_999_999_999_999 }), textUser, (ms, user) => {
        expect(analyseRestUsername(`${ms}:${user}`)).toMatchObject({ order: "expiry-first", unit: "milliseconds", expiresAt: new Date(ms) });
        expect(analyseRestUsername(`${user}:${ms}`)).toMatchObject({ order: "user-first", unit: "milliseconds", expiresAt: new Date(ms) });
      }),
    );
  });

  it("takes coturn's rest-api-separator as a parameter, and notices another separator in the username", () => {
    fc.assert(
      fc.property(expirySec, fc.constantFrom(".", "|", "-", "_", "#"), textUser, (t, sep, user) => {
        fc.pre(!user.includes(sep) && !user.includes(":"));
        expect(analyseRestUsername(`${t}${sep}${user}`, { separator: sep })).toMatchObject({ order: "expiry-first", separator: sep, coturnTimestampSec: t });
        // coturn configured with ':' but the minting side used another character.
        expect(analyseRestUsername(`${t}${sep}${user}`)).toMatchObject({ order: "expiry-first", separator: sep });
      }),
    );
    expect(() => analyseRestUsername("1", { separator: "::" })).toThrow(RangeError);
  });

  it("is not a REST username without a timestamp part", () => {
    for (const u of ["alice", "alice:bob", "12345:alice", "123456789012:x", "", ":"]) expect(analyseRestUsername(u)).toBeUndefined();
  });

  it("never throws, and coturn's reading is always a signed 32-bit number", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (u) => {
        analyseRestUsername(u);
        const ts = coturnRestTimestamp(u);
        expect(Number.isInteger(ts) && ts >= -(2 ** 31) && ts < 2 ** 31).toBe(true);
      }),
    );
  });
});

describe("what coturn reads (userdb.c get_rest_api_timestamp, uint32 turn_time_t, signed comparison)", () => {
  it("accepts the conventional order exactly while the expiry is not in the past", () => {
    fc.assert(
      fc.property(expirySec, anyUser, (t, user) => {
        const a = analyseRestUsername(`${t}:${user}`)!;
        expect(coturnAcceptsTimestamp(a.coturnTimestampSec, now)).toBe(t >= nowSec);
      }),
    );
  });

  it("tolerates the swapped order while the user part is not all digits: the same verdict as expiry first", () => {
    fc.assert(
      fc.property(expirySec, textUser, (t, user) => {
        expect(coturnRestTimestamp(`${user}:${t}`)).toBe(coturnRestTimestamp(`${t}:${user}`));
      }),
    );
  });

  it("reads a numeric user id placed first as the expiry, and refuses it", () => {
    fc.assert(
      fc.property(expirySec, numericUser, (t, id) => {
        const a = analyseRestUsername(`${id}:${t}`)!;
        expect(a.coturnTimestampSec).toBe(Number(id));
        expect(coturnAcceptsTimestamp(a.coturnTimestampSec, now)).toBe(false);
      }),
    );
  });

  it("follows the C code on the odd cases", () => {
    const t = nowSec + 3600;
    expect(coturnRestTimestamp("alice")).toBe(0); // no separator: atol of the whole name
    expect(coturnRestTimestamp(`:${t}`)).toBe(t); // a leading separator is skipped
    expect(coturnRestTimestamp(`${t}.alice`)).toBe(t); // no ':' : atol stops at the '.'
    expect(coturnRestTimestamp(`alice.${t}`)).toBe(0); // no ':' : the name is read from its start
    expect(coturnRestTimestamp(`alice:bob:${t}`)).toBe(0); // after the first ':' comes 'bob'
    expect(coturnRestTimestamp(`alice.${t}`, ".")).toBe(t);
    expect(coturnRestTimestamp(`${2 ** 31 + 5}:x`)).toBe(-(2 ** 31) + 5); // after 2038: negative
    expect(coturnRestTimestamp("99999999999999999999999:x")).toBe(-1); // atol clamps to LONG_MAX, low 32 bits all ones
  });

  // The verdicts coturn 4.6.1 (Debian's build) gave on these usernames with a correct HMAC, at this clock.
  it.each([
    ["1795473559:alice", true],
    ["alice:1795473559", true],
    ["12345:1795473559", false],
    ["alice:1795466359", false],
    ["1795473559", true],
    ["alice", false],
    [":1795473559", true],
    ["1795473559.alice", true],
    ["alice.1795473559", false],
    ["1795473559860:alice", false],
    ["1795296330728:alice", false],
    ["1797091886087:alice", true],
    ["1797443814376:alice", false],
    ["1799591296024:alice", false],
    ["1830029959:alice", true],
    ["3942954607:alice", false],
  ])("%s: coturn 4.6.1 accepts the timestamp: %s", (username, accepted) => {
    const observedAt = new Date(1_795_469_960_000);
    expect(coturnAcceptsTimestamp(coturnRestTimestamp(username), observedAt)).toBe(accepted);
  });
});

describe("the fact", () => {
  it("holds the shape and the expiry, never the user part", () => {
    fc.assert(
      fc.property(fc.integer({ min: nowSec - 86_400, max: nowSec + 86_400 }), nameUser, fc.boolean(), (t, user, swapped) => {
        const fact = restCredentialFact(target(swapped ? `${user}:${t}` : `${t}:${user}`), now)!;
        expect(fact).toMatchObject({ order: swapped ? "user-first" : "expiry-first", remainingSec: t - nowSec, coturnAcceptsExpiry: t >= nowSec });
        expect(JSON.stringify(fact)).not.toContain(user);
      }),
    );
  });

  it("records a millisecond expiry as meant, and coturn's verdict on what it reads", () => {
    const fact = restCredentialFact(target(`${now.getTime() + 3_600_000}:x`), now);
    expect(fact).toMatchObject({ unit: "milliseconds", expiresAt: "2026-03-01T13:00:00.000Z", remainingSec: 3600 });
    expect(typeof fact?.coturnAcceptsExpiry).toBe("boolean");
  });

  it("places an expiry in its window", () => {
    expect([-5, 0, 1, 60, 61, 7 * 86_400, 7 * 86_400 + 1].map(restExpiryWindow)).toEqual([
      "expired",
      "expired",
      "expiring",
      "expiring",
      "valid",
      "valid",
      "long-lived",
    ]);
  });
});
