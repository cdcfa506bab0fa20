import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mintTurnRestCredential, parseTtl, restUsernameExpiry } from "../../../src/config/turn-rest.js";
import { resolveIceServers, secretsOf } from "../../../src/config/ice-servers.js";
import { ConfigError } from "../../../src/config/errors.js";
import { configError } from "../../helpers/config-error.js";
import { restCredentialFact } from "../../../src/probes/rest-credential.js";
import { turnAuthFailed } from "../../../src/rules/turn-auth-failed.js";
import { healthyFacts, withServer } from "../../helpers/facts.js";

const now = new Date("2026-03-01T12:00:00Z");
const epoch = now.getTime() / 1000;

describe("TURN REST credentials", () => {
  it("mints '<expiry>:<user>' and base64(HMAC-SHA1(secret, username)), as openssl computes it", () => {
    const minted = mintTurnRestCredential({ secret: "s3cret", ttlSec: 3600, user: "ci", now });
    expect(minted.username).toBe(`${epoch + 3600}:ci`);
    expect(minted.expiresAt.toISOString()).toBe("2026-03-01T13:00:00.000Z");
    const openssl = spawnSync("sh", ["-c", `printf %s '${minted.username}' | openssl dgst -sha1 -hmac s3cret -binary | base64`], { encoding: "utf8" });
    expect(minted.credential).toBe(openssl.stdout.trim());
  });

  it("mints an expired username for a negative ttl, and a bare expiry for an empty user", () => {
    expect(mintTurnRestCredential({ secret: "s3cret", ttlSec: -60, user: "", now }).username).toBe(String(epoch - 60));
    expect(() => mintTurnRestCredential({ secret: "s3cret", user: "a:b" })).toThrow(/must not contain ':'/);
  });

  it("reads the expiry back from REST-style usernames only", () => {
    expect(restUsernameExpiry(`${epoch}:ci`)?.toISOString()).toBe(now.toISOString());
    expect(restUsernameExpiry(String(epoch))?.toISOString()).toBe(now.toISOString());
    expect(restUsernameExpiry("alice")).toBeUndefined();
    expect(restUsernameExpiry(`ci:${epoch}`)).toBeUndefined();
  });

  it("parses --turn-ttl, negative included", () => {
    expect(parseTtl("-60")).toBe(-60);
    expect(() => parseTtl("1h")).toThrow(/whole number of seconds/);
  });
});

describe("resolving --turn with --turn-secret", () => {
  const turn = ["turn:127.0.0.1:3478"];

  it("mints the credentials for the --turn URLs, and hands the secret to the scrubber only", () => {
    const resolved = resolveIceServers({ turn, turnSecret: "shared-secret", turnTtlSec: 600, turnUser: "ci", now });
    const [target] = resolved.targets;
    expect(target?.username).toBe(`${epoch + 600}:ci`);
    expect(target?.restMinted).toBe(true);
    expect(JSON.stringify(target)).not.toContain("shared-secret");
    expect([...secretsOf(resolved.targets), ...(resolved.secrets ?? [])]).toEqual([target?.credential, "shared-secret"]);
  });

  it("takes the secret (or a static credential) from the environment; flags win", () => {
    const env = { RTC_DOCTOR_TURN_SECRET: "env-secret" };
    expect(resolveIceServers({ turn, env, now }).targets[0]?.restMinted).toBe(true);
    const flag = resolveIceServers({ turn, env, username: "u", credential: "p" }).targets[0];
    expect(flag).toMatchObject({ username: "u", credential: "p" });
    expect(resolveIceServers({ turn, username: "u", env: { RTC_DOCTOR_TURN_CREDENTIAL: "from-env" } }).targets[0]?.credential).toBe("from-env");
  });

  it.each([
    [{ turn, turnSecret: "abc", credential: "p", username: "u" }, /both a TURN credential and a TURN REST secret/],
    [{ turn, turnSecret: "abc", username: "u" }, /give the user part with --turn-user instead/],
    [{ turn, username: "u", credential: "p", turnTtlSec: 60 }, /need --turn-secret/],
    [{ turnSecret: "abc" }, /no --turn URL was given/],
    [{ turn, turnSecret: "ab" }, /too short/],
  ])("rejects %j", (inputs, message) => {
    expect(() => resolveIceServers(inputs)).toThrow(ConfigError);
    const error = configError(() => resolveIceServers(inputs));
    expect(error.cli).toMatch(message);
    expect(error.api).not.toMatch(/--[a-z]/);
  });
});

describe("the expiry as a fact, and the 401 finding", () => {
  it("records expiry and remaining seconds, never the username", () => {
    const target = resolveIceServers({ turn: ["turn:127.0.0.1:3478"], turnSecret: "abc", turnTtlSec: -60, now }).targets[0]!;
    const fact = restCredentialFact(target, now);
    expect(fact).toEqual({
      expiresAt: "2026-03-01T11:59:00.000Z",
      remainingSec: -60,
      minted: true,
      order: "expiry-first",
      unit: "seconds",
      separator: ":",
      coturnAcceptsExpiry: false,
    });
    expect(JSON.stringify(fact)).not.toContain("rtc-doctor");
    const plain = restCredentialFact({ ...target, username: "alice", restMinted: undefined }, now);
    expect(plain).toBeUndefined();
  });

  it("turn-auth-failed says the REST username's expiry is in the past", () => {
    const facts = withServer(healthyFacts(), 1, {
      ok: false,
      relayedAddress: undefined,
      error: { code: "wrong-credentials", stunErrorCode: 401, stunReason: "Unauthorized", detail: "rejected", message: "rejected" },
      restCredential: { expiresAt: "2026-03-01T11:59:00.000Z", remainingSec: -60, minted: true },
    });
    const [hit] = turnAuthFailed.check(facts);
    expect([hit?.message, hit?.subjects]).toEqual(["rest-expired", ["/servers/1"]]);
    expect(hit?.explanation).toContain("it expired at 2026-03-01T11:59:00.000Z, 60 s before the probe");
    // Minted here: the fix names the lifetime option (the CLI renders it as its flag).
    expect(hit?.fix).toContain("{option:turnTtlSec}");
    expect(hit?.evidence.map((e) => e.path)).toEqual(["/servers/1/error", "/servers/1/restCredential"]);
  });

  it("keeps the generic 401 explanation while the REST username is still valid", () => {
    const facts = withServer(healthyFacts(), 1, {
      ok: false,
      error: { code: "wrong-credentials", stunErrorCode: 401, detail: "rejected", message: "rejected" },
      restCredential: { expiresAt: "2026-03-02T12:00:00.000Z", remainingSec: 86400, minted: true },
    });
    expect(turnAuthFailed.check(facts)[0]?.message).toBe("unauthorized-rest-password");
  });
});
