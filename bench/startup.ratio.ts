import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { childCpuMs, type ChildRun } from "./child-cpu.js";
import { printRatio, sideBySide } from "./ratio.js";

// Issue 9: a command that needs no network must not pay for loading werift, ajv, ora and the rest.
// Each figure is the CPU time of the real `node bin/rtc-doctor.js ...` against `node -e 0`.
const root = fileURLToPath(new URL("../", import.meta.url));
const cli = (args: string[], status: number): ChildRun => ({ argv: [process.execPath, "bin/rtc-doctor.js", ...args], status, cwd: root });

const SUBJECTS = {
  node: { argv: [process.execPath, "-e", "0"], status: 0 },
  version: cli(["--version"], 0),
  help: cli(["--help"], 0),
  usage: cli(["check", "--timeout", "abc"], 2),
  // Findings (a far side offering only mDNS candidates) make the exit code 1.
  explain: cli(["explain", "test/fixtures/sdp/chrome-answer-mdns-only.sdp"], 1),
} satisfies Record<string, ChildRun>;

it("startup CPU time of each command against node -e 0", async () => {
  const cpu = await sideBySide(
    Object.fromEntries(Object.entries(SUBJECTS).map(([k, run]) => [k, () => childCpuMs(run)])) as Record<keyof typeof SUBJECTS, () => number>,
    21,
  );
  const against = (label: string, measured: number, goal: number) => printRatio({ label, measured, baseline: cpu.node, goal, unit: "ms CPU" });
  against("--version CPU / node -e 0 CPU", cpu.version, 1.5);
  against("--help CPU / node -e 0 CPU", cpu.help, 1.5);
  against("usage error CPU / node -e 0 CPU", cpu.usage, 1.5);
  against("explain <small SDP> CPU / node -e 0 CPU", cpu.explain, 2);
});
