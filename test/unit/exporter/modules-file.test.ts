import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError } from "../../../src/config/errors.js";
import { loadModulesFile } from "../../../src/exporter/modules-file.js";
import { probeTarget } from "../../../src/exporter/target.js";

const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string, ext = "yml"): string {
  const path = join(dir, `m${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function error(text: string, env: NodeJS.ProcessEnv = {}, ext = "yml"): Promise<string> {
  const path = file(text, ext);
  const e = await loadModulesFile(path, env).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(e)}`);
  expect(e.message.startsWith(`${path}: `), e.message).toBe(true);
  return e.message.slice(path.length + 2);
}

describe("the exporter's modules file", () => {
  test("YAML and JSON modules resolve: durations, env credentials, REST secrets, the CA file beside it", async () => {
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
    const yaml = file(
      [
        "modules:",
        "  relay:",
        "    timeout: 15s",
        "    turn: { username: alice, credential_env: PW }",
        "    tls: { ca_file: ca.pem, fail_if_expires_within: 14d }",
        "  rest:",
        "    connect: false",
        "    nat: true",
        "    turn: { secret_env: SECRET, ttl: 10m, user: probe }",
      ].join("\n"),
    );
    const modules = await loadModulesFile(yaml, { PW: "pw-1", SECRET: "s3cret" });
    expect(modules.get("relay")).toMatchObject({ timeoutMs: 15_000, nat: false, turn: { kind: "static", username: "alice", credential: "pw-1" }, tls: { failIfNotVerified: true, failIfExpiresWithinMs: 14 * 86_400_000 } });
    expect(modules.get("relay")!.tls.ca).toContain("BEGIN CERTIFICATE");
    expect(modules.get("rest")).toMatchObject({ connect: false, nat: true, turn: { kind: "rest", secret: "s3cret", ttlSec: 600, user: "probe" } });
    const json = file(JSON.stringify({ modules: { stun: { timeout: "2s" } } }), "json");
    expect((await loadModulesFile(json, {})).get("stun")).toMatchObject({ timeoutMs: 2000, tls: { failIfNotVerified: true } });
  });

  test("a REST secret mints fresh credentials for every probe; a static one is used as given", async () => {
    const modules = await loadModulesFile(file("modules:\n  rest:\n    turn: { secret: shared, ttl: 1h, user: probe }\n"), {});
    const a = probeTarget("turn:127.0.0.1:3478", modules.get("rest")!, new Date("2026-01-01T00:00:00Z"));
    const b = probeTarget("turn:127.0.0.1:3478", modules.get("rest")!, new Date("2026-01-01T00:10:00Z"));
    expect(a.target.username).toBe(`${Date.parse("2026-01-01T01:00:00Z") / 1000}:probe`);
    expect(b.target.username).not.toBe(a.target.username);
    expect(a.target.credential).not.toBe(b.target.credential);
    expect(a.secrets).toEqual(expect.arrayContaining(["shared", a.target.credential]));
    expect(() => probeTarget("turn:127.0.0.1:3478", { name: "plain", timeoutMs: 1000, nat: false, tls: { failIfNotVerified: true } }, new Date())).toThrow(/no turn credentials/);
    expect(() => probeTarget("http://example.test/", modules.get("rest")!, new Date())).toThrow(ConfigError);
  });

  test.each([
    ["modules: {}\n", "modules: must not be empty"],
    ["probes: {}\n", "modules: missing"],
    ["modules:\n  a:\n    timout: 5s\n", "modules.a.timout: unknown key"],
    ["modules:\n  a:\n    timeout: 5 seconds\n", "modules.a.timeout: expected a duration"],
    ["modules:\n  a:\n    timeout: 50ms\n", "modules.a.timeout: must be from 100 ms"],
    ["modules:\n  a:\n    connect: yes please\n", "modules.a.connect: expected true or false"],
    ["modules:\n  a:\n    turn: { username: u }\n", "modules.a.turn: username needs credential or credential_env"],
    ["modules:\n  a:\n    turn: { credential: p }\n", "modules.a.turn.username: missing"],
    ["modules:\n  a:\n    turn: { username: u, credential: p, credential_env: PW }\n", "modules.a.turn: give credential or credential_env, not both"],
    ["modules:\n  a:\n    turn: { username: u, credential_env: NOT_SET_ANYWHERE }\n", "modules.a.turn.credential_env: the environment variable NOT_SET_ANYWHERE is not set"],
    ["modules:\n  a:\n    turn: { username: u, secret: s }\n", "modules.a.turn.username: minted from the secret"],
    ["modules:\n  a:\n    tls: { ca_file: missing.pem }\n", "modules.a.tls.ca_file: cannot read the file (ENOENT)"],
    ["modules:\n  'bad name!': {}\n", "modules.bad name!: a module name has"],
    ["modules:\n  a: {}\n  a: {}\n", "not valid YAML (duplicate key"],
  ])("rejects %j naming the key: %s", async (text, expected) => {
    expect(await error(text)).toContain(expected);
  });

  test("quality sets the connection's flood duration, from 0s (skip) to 60s", async () => {
    const modules = await loadModulesFile(file("modules:\n  long: { quality: 5s }\n  none: { quality: 0s }\n  plain: {}\n"), {});
    expect(modules.get("long")?.qualityMs).toBe(5000);
    expect(modules.get("none")?.qualityMs).toBe(0);
    expect(modules.get("plain")?.qualityMs).toBeUndefined();
    expect(await error("modules:\n  x: { quality: 2m }\n")).toBe("modules.x.quality: must be from 0 ms to 60 s");
    expect(await error("modules:\n  x: { quality: fast }\n")).toMatch(/^modules\.x\.quality: /);
  });

  test("a YAML or JSON syntax error says where, never what the line holds", async () => {
    const yaml = await error("modules:\n  a:\n    turn: { username: u, credential: 'hunter2-secret\n");
    expect(yaml).toMatch(/^not valid YAML \(.+ at line \d+, column \d+\)$/);
    expect(yaml).not.toContain("hunter2");
    const json = await error('{"modules": {"a": {"turn": {"credential": hunter2-secret}}}}', {}, "json");
    expect(json).toMatch(/^not valid JSON/);
    expect(json).not.toContain("hunter2");
  });

  test("an unreadable file is a ConfigError naming it", async () => {
    await expect(loadModulesFile(join(dir, "nope.yml"), {})).rejects.toThrow(/nope\.yml: cannot read the modules file \(ENOENT\)/);
  });
});
