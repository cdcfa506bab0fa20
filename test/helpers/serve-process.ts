import { spawn, type ChildProcess } from "node:child_process";
import { BIN } from "./cli.js";

/** `rtc-doctor serve` running as its own process (from dist/), as a user would start it. */
export interface ServeProcess {
  /** The two `rtc-doctor check ...` command lines serve printed, without the leading "rtc-doctor". */
  whipCommand: string[];
  pipecatCommand: string[];
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts serve and waits for the command it prints; bounded by `timeoutMs`. `prefix` runs it
 * elsewhere (e.g. ["ip", "netns", "exec", "ns"]).
 */
export function startServeProcess(args: string[], options: { timeoutMs?: number; prefix?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const argv = [...(options.prefix ?? []), process.execPath, BIN, "serve", ...args];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } });
  running.add(child);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(kill);
      running.delete(child);
      return code;
    }
    running.delete(child);
    return child.exitCode;
  };
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      void stop();
      reject(new Error(`rtc-doctor serve printed no command within ${options.timeoutMs ?? 15_000} ms\n${out}\n${err}`));
    }, options.timeoutMs ?? 15_000);
    const check = () => {
      const lines = out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("rtc-doctor check "));
      if (lines.length < 2) return;
      clearTimeout(guard);
      const words = (line: string) => line.split(/\s+/).slice(1);
      resolve({ whipCommand: words(lines[0] as string), pipecatCommand: words(lines[1] as string), stdout: () => out, stderr: () => err, stop });
    };
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(guard);
      reject(new Error(`rtc-doctor serve exited (${code}) before it was ready\n${out}\n${err}`));
    });
  });
}
