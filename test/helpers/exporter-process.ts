import { spawn, type ChildProcess } from "node:child_process";
import { BIN } from "./cli.js";

/** `rtc-doctor exporter` as its own process, as a user would start it. */
export interface ExporterProcess {
  url: string;
  /** host:port, for a scrape configuration's __address__. */
  address: string;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts the exporter on a free loopback port and waits (bounded) for the line naming its URL. */
export function startExporterProcess(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ExporterProcess> {
  const child = spawn(process.execPath, [BIN, "exporter", "--host", "127.0.0.1", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (running.delete(child) && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(kill);
      return code;
    }
    return child.exitCode;
  };
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      void stop();
      reject(new Error(`rtc-doctor exporter printed no URL within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/([^\s]+))/.exec(out);
      if (!match) return;
      clearTimeout(guard);
      resolve({ url: match[1]!, address: match[2]!, stdout: () => out, stderr: () => err, stop });
    });
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(guard);
      reject(new Error(`rtc-doctor exporter exited (${code}) before it was ready\n${out}\n${err}`));
    });
  });
}
