import { spawn, type ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
// A test run that ends early (a failed assertion, Ctrl-C) must not leave far ends behind.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface FarEndProcess {
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts a far end as a child process and resolves with `ready(stdoutSoFar)`'s value once it is
 * defined; rejects if the child exits first or `timeoutMs` passes. `stop` sends SIGTERM, then
 * SIGKILL after 5 s.
 */
export function startFarEndProcess<T>(argv: readonly string[], what: string, timeoutMs: number, ready: (stdout: string) => T | undefined): Promise<T & FarEndProcess> {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
    }
    running.delete(child);
  };
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      void stop();
      reject(new Error(`${what} was not ready within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const value = ready(out);
      if (value === undefined) return;
      clearTimeout(guard);
      resolve({ ...value, stderr: () => err, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(guard);
      running.delete(child);
      reject(new Error(`${what} exited (${code}) before it was ready\n${out}\n${err}`));
    });
  });
}
