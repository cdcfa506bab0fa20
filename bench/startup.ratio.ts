import { fileURLToPath } from "node:url";
import { it } from "vitest";
import { childCpuMs, type ChildRun } from "./child-cpu.js";
import { printRatio, sideBySide, type PairedFigure } from "./ratio.js";

// Issue 9: a command that needs no network must not pay for loading werift, ajv, ora and the rest.
// Each figure is the CPU time of the real `node bin/rtc-doctor.js ...` against `node -e 0`.
const root = fileURLToPath(new URL("../", import.meta.url));
const cli = (args: string[], status: number): ChildRun => ({ argv: [process.execPath, "bin/rtc-doctor.js", ...args], status, cwd: root });
const NODE: ChildRun = { argv: [process.execPath, "-e", "0"], status: 0 };

it("startup CPU time of each command against node -e 0", async () => {
  const cpu = await sideBySide(
    () => childCpuMs(NODE),
    {
      version: () => childCpuMs(cli(["--version"], 0)),
      help: () => childCpuMs(cli(["--help"], 0)),
      usage: () => childCpuMs(cli(["check", "--timeout", "abc"], 2)),
      // Findings (a far side offering only mDNS candidates) make the exit code 1.
      explain: () => childCpuMs(cli(["explain", "test/fixtures/sdp/chrome-answer-mdns-only.sdp"], 1)),
    },
    31,
  );
  const line = (label: string, figure: PairedFigure, goal: number) => printRatio({ label, ...figure, goal, unit: "ms CPU" });
  line("--version CPU / node -e 0 CPU", cpu.version, 1.5);
  line("--help CPU / node -e 0 CPU", cpu.help, 1.5);
  line("usage error CPU / node -e 0 CPU", cpu.usage, 1.5);
  line("explain <small SDP> CPU / node -e 0 CPU", cpu.explain, 2);
});
