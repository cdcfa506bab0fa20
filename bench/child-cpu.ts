import { spawnSync } from "node:child_process";

// bash's `time` reads the finished child's rusage (wait4), user and system time of all its threads,
// to the microsecond, printed to the millisecond. Measuring from inside the child would miss its
// startup and exit, and process.cpuUsage() in this process does not see the child at all.
const TIMED = 'TIMEFORMAT="%3U %3S"; time "$@" </dev/null >/dev/null 2>&1; echo "status $?" >&2';

export interface ChildRun {
  argv: readonly string[];
  /** The exit status the command must end with: a crash that exits early would look fast. */
  status: number;
  cwd?: string;
}

/** CPU time (user + system) in milliseconds of one run of a command, from outside the process. */
export function childCpuMs(run: ChildRun): number {
  const result = spawnSync("bash", ["-c", TIMED, "child-cpu", ...run.argv], { cwd: run.cwd, encoding: "utf8" });
  const lines = result.stderr.trim().split("\n");
  const times = /^(\d+\.\d+) (\d+\.\d+)$/.exec(lines.at(-2) ?? "");
  const status = /^status (\d+)$/.exec(lines.at(-1) ?? "");
  if (!times || !status) throw new Error(`cannot read the CPU time of ${run.argv.join(" ")}:\n${result.stderr}`);
  if (Number(status[1]) !== run.status) throw new Error(`${run.argv.join(" ")} exited ${status[1]}, not ${run.status}: the figure would be wrong`);
  return (Number(times[1]) + Number(times[2])) * 1000;
}
