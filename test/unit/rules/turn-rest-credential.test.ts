import { describe, expect, it } from "vitest";
import { turnRestCredential } from "../../../src/rules/turn-rest-credential.js";
import { turnAuthFailed } from "../../../src/rules/turn-auth-failed.js";
import { rules, runRules } from "../../../src/rules/index.js";
import type { ProbeError, RestCredentialFact } from "../../../src/facts/index.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";
import { hitsOf, kinds, reported } from "../../helpers/rule-tester.js";

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
const unauthorized: ProbeError = { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "the TURN server rejected the credentials", message: "the TURN server rejected the credentials" };
const timeout: ProbeError = { code: "timeout", detail: "no answer after 7 tries in 3000 ms", message: "no answer after 7 tries in 3000 ms" };
const failed = (error: ProbeError) => ({ ok: false, error, relayedAddress: undefined, allocation: undefined });
const on = (patch: Parameters<typeof withServer>[2]) => withServer(healthyFacts(), 1, patch);

describe("turn-rest-credential", () => {
  it("warns when the expiry is under 60 s away, pointing at the fact", () => {
    const facts = on({ restCredential: rest({ remainingSec: 30, expiresAt: "2026-03-01T12:00:30.000Z" }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "expiring-soon", severity: "warning", evidence: ["/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    expect(turnRestCredential.check(facts)[0]?.explanation).toContain("expires 30 s after the probe");
  });

  it("warns about a swapped username that coturn tolerates, naming the order", () => {
    const facts = on({ restCredential: rest({ order: "user-first" }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "user-first", severity: "warning", evidence: ["/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    // The shape is data the message carries: the username's pattern, never its content.
    expect(turnRestCredential.check(facts)[0]?.explanation).toContain("'<user>:<expiry>' (user first, seconds)");
    expect(turnRestCredential.check(facts)[0]?.explanation).toContain("which is why this server accepted it");
  });

  it("is an error when coturn would read the swapped user id as the expiry and the server was not reached", () => {
    const facts = on({ ...failed(timeout), restCredential: rest({ order: "user-first", coturnAcceptsExpiry: false }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "user-first-refused", severity: "error", evidence: ["/servers/1/error", "/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
  });

  it("warns about a millisecond expiry even when the server accepted it", () => {
    const facts = on({ restCredential: rest({ unit: "milliseconds" }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "milliseconds", severity: "warning", evidence: ["/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    expect(turnRestCredential.check(facts)[0]?.explanation).toContain("The server accepted it this time");
  });

  it("says an expired username will be refused once an unreachable server is reached, and its title says expired", () => {
    const facts = on({ ...failed(timeout), restCredential: rest({ remainingSec: -120, expiresAt: "2026-03-01T11:58:00.000Z", coturnAcceptsExpiry: false, minted: true }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "expired", severity: "warning", evidence: ["/servers/1/error", "/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    expect(runRules([turnRestCredential], facts)[0]?.title).toBe("The TURN REST credentials have expired");
    const [hit] = turnRestCredential.check(facts);
    expect(hit?.explanation).toContain("it expired at 2026-03-01T11:58:00.000Z, 120 s before the probe");
    // Minted here: the fix names the lifetime option, as a token the diagnosis turns into words.
    expect(hit?.fix).toContain("{option:turnTtlSec}");
  });

  it("an expiry after 2038 on an unreachable server: will be refused, and the title says why", () => {
    const facts = on({ ...failed(timeout), restCredential: rest({ remainingSec: 400_000_000, expiresAt: "2040-01-01T00:00:00.000Z", coturnAcceptsExpiry: false }) });
    expect(kinds(hitsOf(turnRestCredential, facts))).toEqual(["turn-rest-credential/will-be-refused"]);
    expect(runRules([turnRestCredential], facts)[0]?.title).toBe("The TURN REST username's expiry is after 2038, which coturn reads as expired");
  });

  it("the expiring-soon title says how many seconds are left", () => {
    const facts = on({ restCredential: rest({ remainingSec: 30, expiresAt: "2026-03-01T12:00:30.000Z" }) });
    expect(runRules([turnRestCredential], facts)[0]?.title).toBe("The TURN REST credentials are about to expire (30 s left)");
  });

  it("a username valid for a day on an unreachable server: nothing to say about it (a future expiry is not 'not yet valid')", () => {
    expect(turnRestCredential.check(on({ ...failed(timeout), restCredential: rest() }))).toEqual([]);
  });

  it("notes an expiry more than 7 days away as info", () => {
    const facts = on({ restCredential: rest({ remainingSec: 30 * 86_400 }) });
    expect(hitsOf(turnRestCredential, facts)).toEqual([
      { rule: "turn-rest-credential", message: "long-lived", severity: "info", evidence: ["/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    expect(turnRestCredential.check(facts)[0]?.explanation).toContain("expires 30 days after the probe");
  });

  it("stays silent on a well-formed username valid for a day", () => {
    expect(turnRestCredential.check(on({ restCredential: rest() }))).toEqual([]);
    expect(runRules(rules, on({ restCredential: rest() }))).toEqual([]);
  });

  it("leaves a 401 to turn-auth-failed, which supersedes it for that server", () => {
    const facts = on({ ...failed(unauthorized), restCredential: rest({ order: "user-first", coturnAcceptsExpiry: false }) });
    expect(kinds(reported(runRules(rules, facts)))).toEqual(["turn-auth-failed/rest-user-first-refused"]);
  });

  it("says nothing when a server allocated with an 'expired' username: it does not check REST expiries", () => {
    expect(turnRestCredential.check(on({ restCredential: rest({ remainingSec: -3600, coturnAcceptsExpiry: false }) }))).toEqual([]);
  });
});

describe("turn-auth-failed names the REST username's fault", () => {
  const facts = (patch: Partial<RestCredentialFact>, software?: string) => on({ ...failed(unauthorized), software, restCredential: rest(patch) });
  const auth = (patch: Partial<RestCredentialFact>, software?: string) => turnAuthFailed.check(facts(patch, software))[0];
  const message = (patch: Partial<RestCredentialFact>, software?: string) => hitsOf(turnAuthFailed, facts(patch, software)).map((h) => h.message);

  it("a swapped numeric user id: coturn read it as the expiry", () => {
    expect(hitsOf(turnAuthFailed, facts({ order: "user-first", coturnAcceptsExpiry: false }, "Coturn-4.6.1 'Gorst'"))).toEqual([
      { rule: "turn-auth-failed", message: "rest-user-first-refused", severity: "error", evidence: ["/servers/1/error", "/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    // ':' as the separator: the numeric user id is what coturn took for the expiry (not a separator mismatch).
    expect(auth({ order: "user-first", coturnAcceptsExpiry: false }, "Coturn-4.6.1 'Gorst'")?.explanation).toContain("it took the user id for the expiry");
  });

  it("a swapped username on a server that does not call itself coturn: the order is the cause", () => {
    expect(message({ order: "user-first" }, "pion/turn")).toEqual(["rest-user-first-elsewhere"]);
    expect(auth({ order: "user-first" }, "pion/turn")?.explanation).toContain("names itself 'pion/turn', not coturn");
    expect(message({ order: "user-first" })).toEqual(["rest-user-first-elsewhere"]);
    expect(auth({ order: "user-first" })?.explanation).toContain("does not name its software");
  });

  it("a swapped username on coturn: the order is tolerated, so it is the password", () => {
    expect(message({ order: "user-first" }, "Coturn-4.6.1 'Gorst'")).toEqual(["unauthorized-rest-password"]);
    // The password fix also asks for the order to be put right.
    expect(auth({ order: "user-first" }, "Coturn-4.6.1 'Gorst'")?.fix).toMatch(/base64 of the raw digest, not hex.*Put the expiry first/s);
  });

  it("a millisecond expiry", () => {
    expect(message({ unit: "milliseconds", coturnAcceptsExpiry: false })).toEqual(["rest-milliseconds"]);
    expect(auth({ unit: "milliseconds", coturnAcceptsExpiry: false })?.explanation).toContain("reads as a time in the past");
  });

  it("an expiry after 2038", () => {
    expect(message({ expiresAt: "2040-01-01T00:00:00.000Z", remainingSec: 400_000_000, coturnAcceptsExpiry: false })).toEqual(["rest-after-2038"]);
  });

  it("an expiry that passed moments ago points at the clocks", () => {
    const patch = { remainingSec: -30, expiresAt: "2026-03-01T11:59:30.000Z", coturnAcceptsExpiry: false };
    expect(hitsOf(turnAuthFailed, facts(patch))).toEqual([
      { rule: "turn-auth-failed", message: "rest-expired", severity: "error", evidence: ["/servers/1/error", "/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    expect(auth(patch)?.explanation).toContain("only 30 s before the probe");
    // The title itself says expired, not only the explanation.
    expect(runRules([turnAuthFailed], facts(patch))[0]?.title).toBe("The TURN REST credentials have expired: the server rejects them");
  });

  it("a username whose expiry is ahead is never called expired: the 401 is the password's", () => {
    const [finding] = runRules([turnAuthFailed], facts({ remainingSec: 3600 }));
    expect([finding?.message, finding?.title]).toEqual(["unauthorized-rest-password", "The TURN server rejects the credentials"]);
  });

  it("a valid REST username: the expiry is not the cause, the password is", () => {
    expect(hitsOf(turnAuthFailed, facts({ remainingSec: 120 }))).toEqual([
      { rule: "turn-auth-failed", message: "unauthorized-rest-password", severity: "error", evidence: ["/servers/1/error", "/servers/1/restCredential"], subjects: ["/servers/1"] },
    ]);
    // Minutes from expiry: a TURN server with a clock ahead already sees it expired.
    expect(auth({ remainingSec: 120 })?.fix).toMatch(/HMAC-SHA1.*clock is ahead/s);
  });
});
