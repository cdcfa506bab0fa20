import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_EXPLAIN_INPUT_BYTES, MAX_JSON_DEPTH } from "../../src/config/limits.js";
import { expectContained, runCase, SECRET, type HostileCase } from "../helpers/hostile-run.js";

// `explain` on inputs built to hurt: each ends in one line and exit 2 (or a judged report for an
// input that is valid after all), never exit 3, a stack trace, a hang or a piece of a credential
// the input holds. explain has no timeouts of its own: the budget is a nominal second, and the
// hang bound a few times that plus the start.
let dir: string;
const at = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rtc-doctor-hostile-explain-"));
  writeFileSync(at("random.bin"), randomBytes(20 * 1024 * 1024));
  writeFileSync(at("random-sdp.txt"), Buffer.concat([Buffer.from("v=0\r\n"), randomBytes(5 * 1024 * 1024)]));
  // Past the size bound: sparse, so it costs no disk and shows that nothing reads it whole.
  closeSync(openSync(at("huge.bin"), "w"));
  truncateSync(at("huge.bin"), MAX_EXPLAIN_INPUT_BYTES + 1);
  writeFileSync(at("invalid-utf8.sdp"), Buffer.concat([Buffer.from("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]), Buffer.from("\r\n")]));
  writeFileSync(
    at("invalid-utf8.json"),
    Buffer.concat([Buffer.from(`{"iceServers": [{"urls": "turn:127.0.0.1", "username": "u", "credential": "${SECRET}", "x": "`), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}]')]),
  );
  // A credential left unquoted: the JSON error must name its place, not quote its neighbourhood.
  writeFileSync(at("unquoted-credential.json"), `{"iceServers": [{"urls": "turn:127.0.0.1", "username": "u", "credential": ${SECRET}}]}`);
  writeFileSync(at("deep.json"), `${"[".repeat(200_000)}${"]".repeat(200_000)}`);
  writeFileSync(
    at("deep-dump.json"),
    JSON.stringify({
      getUserMedia: [],
      PeerConnections: {
        "1-1": { pid: 1, url: "https://example.test", rtcConfiguration: `{ iceServers: ${"[".repeat(100_000)}${"]".repeat(100_000)} }`, constraints: "", updateLog: [], stats: {} },
      },
      UserAgent: "Chrome",
    }),
  );
  writeFileSync(at("empty.txt"), "");
  mkdirSync(at("a-directory"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const explain = (name: string, args: () => string[], words: RegExp[], extra: Partial<HostileCase> = {}): HostileCase => ({
  name,
  get args() {
    return ["explain", ...args()];
  },
  budgetMs: 1000,
  words,
  codes: [2],
  ...extra,
});

describe.concurrent("explain on hostile input", () => {
  it.each([
    explain("20 MB of random bytes", () => [at("random.bin")], [/neither an SDP \(starting with v=0\) nor valid JSON/]),
    explain("v=0 and 5 MB of random bytes", () => [at("random-sdp.txt")], [/^rtc-doctor: SDP: /m]),
    explain("a file past the size bound", () => [at("huge.bin")], [new RegExp(`${MAX_EXPLAIN_INPUT_BYTES + 1} bytes, more than ${MAX_EXPLAIN_INPUT_BYTES / 1024 / 1024} MiB`)]),
    explain("invalid UTF-8 in an SDP", () => [at("invalid-utf8.sdp")], [/^rtc-doctor: SDP: /m]),
    explain("invalid UTF-8 in JSON next to a credential", () => [at("invalid-utf8.json")], [/^rtc-doctor: /m], { codes: [1, 2] }),
    explain("an unquoted credential", () => [at("unquoted-credential.json")], [/at line 1, column \d+ \(in iceServers\[0\]\.credential\)/]),
    explain("JSON nested 200,000 deep", () => [at("deep.json")], [new RegExp(`nested more than ${MAX_JSON_DEPTH} levels deep`)]),
    // A valid dump whose configuration string is nested deep: judged (exit 0 when nothing is wrong), never exit 3.
    explain("a dump whose rtcConfiguration is nested 100,000 deep", () => [at("deep-dump.json")], [/webrtc-internals dump/], { codes: [0, 1, 2] }),
    explain("an empty file", () => [at("empty.txt")], [/input is empty/]),
    explain("a directory", () => [at("a-directory")], [/cannot read '.*a-directory' \(EISDIR\)/]),
    explain("a missing file", () => [at("missing.sdp")], [/cannot read '.*missing\.sdp' \(ENOENT\)/]),
    explain("stdin closed", () => ["-"], [/input is empty/], { closedStdin: true }),
    explain("stdin empty", () => ["-"], [/input is empty/], { input: "" }),
    // More than a pipe holds (64 KiB): read to its end, not cut at the first EAGAIN.
    explain("5 MB of random bytes on stdin", () => ["-"], [/neither an SDP \(starting with v=0\) nor valid JSON/], { input: randomBytes(5 * 1024 * 1024) }),
  ])("$name", async (c) => {
    const run = await runCase(c);
    expectContained(c, run);
    // One line for bad input: the fault, not a dump of what was read.
    if (run.result.code === 2) expect(run.result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
