import { describe, expect, it } from "vitest";
import { turnRestCredential } from "../../../src/rules/turn-rest-credential.js";
import { turnAuthFailed } from "../../../src/rules/turn-auth-failed.js";
import { rules, runRules } from "../../../src/rules/index.js";
import type { ProbeError, RestCredentialFact } from "../../../src/facts/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

const rest = (patch: Partial<RestCredentialFact> = {}): RestCredentialFact => ({
  expiresAt: "2026-03-02T12:00:00.000Z",
  remainingSec: 86_400,
  minted: false,
  order: "expiry-first",
  unit: "seconds",
  separator: ":",
  coturnAcceptsExpiry: true,
  ...patch,
});
const unauthorized: ProbeError = { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", message: "the TURN server rejected the credentials" };
const timeout: ProbeError = { code: "timeout", message: "no answer after 7 tries in 3000 ms" };
const failed = (error: ProbeError) => ({ ok: false, error, relayedAddress: undefined, allocation: undefined });
const on = (patch: Parameters<typeof withServer>[2]) => withServer(healthyFacts(), 1, patch);

describe("turn-rest-credential", () => {
  it("warns when the expiry is under 60 s away, pointing at the fact", () => {
    const [hit, ...more] = turnRestCredential.check(on({ restCredential: rest({ remainingSec: 30, expiresAt: "2026-03-01T12:00:30.000Z" }) }));
    expect(more).toEqual([]);
    expect(hit?.severity).toBeUndefined();
    expect(hit?.explanation).toMatch(/expires 30 s after the probe/);
    expect(hit?.evidence.map((e) => e.path)).toEqual(["/servers/1/restCredential"]);
  });

  it("warns about a swapped username that coturn tolerates, naming the order", () => {
    const [hit] = turnRestCredential.check(on({ restCredential: rest({ order: "user-first" }) }));
    expect(hit?.severity).toBeUndefined();
    expect(hit?.explanation).toMatch(/parts swapped: '<user>:<expiry>' \(user first, seconds\) instead of '<expiry>:<user>'/);
    expect(hit?.explanation).toMatch(/coturn tolerates the swap while the user part is not all digits, which is why this server accepted it/);
    expect(hit?.fix).toMatch(/'<expiry>:<user>'/);
  });

  it("is an error when coturn would read the swapped user id as the expiry and the server was not reached", () => {
    const [hit] = turnRestCredential.check(on({ ...failed(timeout), restCredential: rest({ order: "user-first", coturnAcceptsExpiry: false }) }));
    expect(hit?.severity).toBe("error");
    expect(hit?.explanation).toMatch(/answers 401 whatever the password/);
    expect(hit?.evidence.map((e) => e.path)).toEqual(["/servers/1/error", "/servers/1/restCredential"]);
  });

  it("warns about a millisecond expiry even when the server accepted it", () => {
    const [hit] = turnRestCredential.check(on({ restCredential: rest({ unit: "milliseconds" }) }));
    expect(hit?.explanation).toMatch(/in milliseconds .*low 32 bits.*The server accepted it this time/s);
    expect(hit?.fix).toMatch(/Divide by 1000/);
  });

  it("says an expired username will be refused once an unreachable server is reached", () => {
    const [hit] = turnRestCredential.check(
      on({ ...failed(timeout), restCredential: rest({ remainingSec: -120, expiresAt: "2026-03-01T11:58:00.000Z", coturnAcceptsExpiry: false, minted: true }) }),
    );
    expect(hit?.explanation).toMatch(/will be refused once the server is reached: it expired at 2026-03-01T11:58:00.000Z, 120 s before the probe/);
    expect(hit?.fix).toMatch(/--turn-ttl/);
  });

  it("notes an expiry more than 7 days away as info", () => {
    const [hit] = turnRestCredential.check(on({ restCredential: rest({ remainingSec: 30 * 86_400 }) }));
    expect(hit?.severity).toBe("info");
    expect(hit?.explanation).toMatch(/expires 30 days after the probe/);
  });

  it("stays silent on a well-formed username valid for a day", () => {
    expect(turnRestCredential.check(on({ restCredential: rest() }))).toEqual([]);
    expect(runRules(rules, on({ restCredential: rest() }))).toEqual([]);
  });

  it("leaves a 401 to turn-auth-failed", () => {
    expect(turnRestCredential.check(on({ ...failed(unauthorized), restCredential: rest({ order: "user-first", coturnAcceptsExpiry: false }) }))).toEqual([]);
  });

  it("says nothing when a server allocated with an 'expired' username: it does not check REST expiries", () => {
    expect(turnRestCredential.check(on({ restCredential: rest({ remainingSec: -3600, coturnAcceptsExpiry: false }) }))).toEqual([]);
  });
});

describe("turn-auth-failed names the REST username's fault", () => {
  const auth = (patch: Partial<RestCredentialFact>, software?: string) =>
    turnAuthFailed.check(on({ ...failed(unauthorized), software, restCredential: rest(patch) }))[0];

  it("a swapped numeric user id: coturn read it as the expiry", () => {
    const hit = auth({ order: "user-first", coturnAcceptsExpiry: false }, "Coturn-4.6.1 'Gorst'");
    expect(hit?.explanation).toMatch(/has its parts swapped: '<user>:<expiry>' \(user first, seconds\)/);
    expect(hit?.explanation).toMatch(/numeric user id is: it took the user id for the expiry/);
    expect(hit?.evidence.map((e) => e.path)).toEqual(["/servers/1/error", "/servers/1/restCredential"]);
  });

  it("a swapped username on a server that does not call itself coturn: the order is the cause", () => {
    expect(auth({ order: "user-first" }, "pion/turn")?.explanation).toMatch(/names itself 'pion\/turn', not coturn.*only coturn tolerates the swap/s);
    expect(auth({ order: "user-first" })?.explanation).toMatch(/does not name its software/);
  });

  it("a swapped username on coturn: the order is tolerated, so it is the password", () => {
    const hit = auth({ order: "user-first" }, "Coturn-4.6.1 'Gorst'");
    expect(hit?.explanation).toMatch(/does not accept them.*not the cause.*swapped, which coturn tolerates.*the password/s);
    expect(hit?.fix).toMatch(/base64 of the raw digest, not hex.*Put the expiry first/s);
  });

  it("a millisecond expiry", () => {
    expect(auth({ unit: "milliseconds", coturnAcceptsExpiry: false })?.explanation).toMatch(/in milliseconds \(13 digits.*reads as a time in the past/s);
  });

  it("an expiry after 2038", () => {
    expect(auth({ expiresAt: "2040-01-01T00:00:00.000Z", remainingSec: 400_000_000, coturnAcceptsExpiry: false })?.explanation).toMatch(
      /after 2038-01-19T03:14:07.000Z: coturn holds the expiry in 32 bits/,
    );
  });

  it("an expiry that passed moments ago points at the clocks", () => {
    const hit = auth({ remainingSec: -30, expiresAt: "2026-03-01T11:59:30.000Z", coturnAcceptsExpiry: false });
    expect(hit?.explanation).toMatch(/expiry is in the past.*only 30 s before the probe.*clocks/s);
  });

  it("a valid REST username: the expiry is not the cause, the password is", () => {
    const hit = auth({ remainingSec: 120 });
    expect(hit?.explanation).toMatch(/expiry is not the cause: 2026-03-02T12:00:00.000Z, 120 s after the probe/);
    expect(hit?.fix).toMatch(/HMAC-SHA1.*clock is ahead/s);
  });
});
