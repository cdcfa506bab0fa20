import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { ANSI, runCli } from "../../helpers/cli.js";

// --quiet, --verbose and the colour switches, through the built CLI against a real coturn.
describe("output modes", () => {
  let coturn: Coturn;
  const credential = "Verb0se-Secret";

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, password: credential });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  const turn = () => ["check", "--no-nat", "--turn", `turn:127.0.0.1:${coturn.port}`, "--username", coturn.user, "--credential", credential];

  it("--quiet prints only the summary line, and nothing on stderr", async () => {
    const r = await runCli([...turn(), "--no-connect", "--quiet"]);
    expect(r.code).toBe(0);
    // One warning: the loopback coturn has no TURN URL on 443 (turn-not-on-443).
    expect(r.stdout).toBe("PASS  0 errors, 1 warning  (exit 0, --fail-on error)\n");
    expect(r.stderr).toBe("");
  });

  it("--quiet leaves machine formats whole", async () => {
    const r = await runCli([...turn(), "--no-connect", "--no-gather", "--quiet", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ summary: { passed: true } });
  });

  it("--verbose logs phases and werift's debug output on stderr, with the TURN credential scrubbed", async () => {
    const r = await runCli([...turn(), "--verbose"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^rtc-doctor: servers: probing 1 ICE server URL$/m);
    expect(r.stderr).toMatch(/^rtc-doctor: servers: done in \d+ ms$/m);
    expect(r.stderr).toMatch(/werift:/);
    // werift logs its TURN options, password included: the scrubber must catch it.
    expect(r.stderr).toMatch(/turnPassword: '\[redacted\]'/);
    expect(r.stdout + r.stderr).not.toContain(credential);
    expect(r.stderr).not.toMatch(ANSI);
  });

  it("--quiet with --verbose is a usage error", async () => {
    const r = await runCli([...turn(), "-q", "-v"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("rtc-doctor: --quiet and --verbose exclude each other\n");
  });

  it("FORCE_COLOR colours a piped report, NO_COLOR wins over it, and no spinner reaches a pipe", async () => {
    const forced = await runCli([...turn(), "--no-connect", "--no-gather"], { env: { FORCE_COLOR: "1" } });
    expect(forced.stdout).toMatch(ANSI);
    expect(forced.stderr).toBe("");
    const both = await runCli([...turn(), "--no-connect", "--no-gather"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(both.stdout).not.toMatch(ANSI);
    const plain = await runCli([...turn(), "--no-connect", "--no-gather"]);
    expect(plain.stdout).not.toMatch(ANSI);
    expect(plain.stderr).toBe("");
  });
});
