import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startExporterProcess } from "../helpers/exporter-process.js";
import { freeUdpPort } from "../helpers/ports.js";

// `rtc-doctor exporter` refuses a bad modules file before it listens: one line naming the file and
// the key, exit 2, never a stack trace and never the value.
const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-exporter-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("rtc-doctor exporter: bad input", () => {
  test.each([
    ["unknown-key.yml", "modules:\n  turn:\n    timout: 5s\n", "modules.turn.timout: unknown key"],
    ["bad-duration.json", '{"modules": {"turn": {"timeout": "soon"}}}', "modules.turn.timeout: expected a duration"],
    ["no-env.yml", "modules:\n  turn:\n    turn: { username: u, credential_env: RTC_DOCTOR_TEST_UNSET_VAR }\n", "modules.turn.turn.credential_env: the environment variable RTC_DOCTOR_TEST_UNSET_VAR is not set"],
    ["bad-yaml.yml", "modules:\n  turn:\n    turn: { username: u, credential: 'sup3r-secret-value\n", "not valid YAML"],
    ["empty.yml", "modules: {}\n", "modules: must not be empty"],
  ])("%s: exit 2 with one line naming file and key", async (name, text, expected) => {
    const path = file(name, text);
    const r = await runCli(["exporter", "--config", path, "--port", "0", "--host", "127.0.0.1"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(`rtc-doctor: ${path}: ${expected}`)]);
    expect(r.stderr).not.toContain("sup3r-secret");
    expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    expect(r.stdout).toBe("");
  });

  test("a missing modules file, a bad port, a bad concurrency: exit 2", async () => {
    for (const args of [["--config", join(dir, "none.yml")], ["--port", "70000"], ["--concurrency", "0"], ["--timeout-offset", "x"]]) {
      const r = await runCli(["exporter", ...args]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n")[0]).toMatch(/^rtc-doctor: /);
    }
  });

  test("with no modules file it serves the built-in default module and its own metrics, and stops on SIGTERM", async () => {
    const exporter = await startExporterProcess([]);
    try {
      expect(exporter.stdout()).toContain("modules: default");
      const metrics = await fetch(`${exporter.url}/metrics`).then((r) => r.text());
      expect(metrics).toContain('rtcdoctor_exporter_probes_total{module="default",result="success"} 0');
      expect(await fetch(`${exporter.url}/-/healthy`).then((r) => r.status)).toBe(200);
      // One module: `module` may be left out. A dead UDP port answers with an ICMP port unreachable.
      const dead = await fetch(`${exporter.url}/probe?target=${encodeURIComponent(`stun:127.0.0.1:${await freeUdpPort()}`)}`).then((r) => r.text());
      expect(dead).toContain('rtcdoctor_probe_success{reason="connection_refused"} 0');
      const turn = await fetch(`${exporter.url}/probe?target=${encodeURIComponent("turn:127.0.0.1:3478")}`);
      expect(turn.status).toBe(400);
      expect(await turn.text()).toContain("no turn credentials");
    } finally {
      expect(await exporter.stop()).toBe(0);
    }
  });
});
