import { spawn, type ChildProcess } from "node:child_process";
import { ROOT } from "./lab.js";

/** A libwebrtc far end (test/lab/wrtc-answerer.mjs) running inside a lab namespace. */
export interface LabFarEnd {
  stderr(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface FarEndConfig {
  port: number;
  iceServers: { urls: string; username?: string; credential?: string }[];
  /** "srflx": answer as soon as a server-reflexive candidate is there, instead of when gathering completes. */
  answerOn?: "srflx";
  gatherTimeoutMs?: number;
}

/** Starts the far end in `namespace` and resolves once it listens; bounded by `timeoutMs`. */
export function startLabFarEnd(namespace: string, config: FarEndConfig, timeoutMs = 20_000): Promise<LabFarEnd> {
  const child = spawn("ip", ["netns", "exec", namespace, process.execPath, `${ROOT}test/lab/wrtc-answerer.mjs`, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
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
      reject(new Error(`the libwebrtc far end did not listen within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("listening")) return;
      clearTimeout(guard);
      resolve({ stderr: () => err, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(guard);
      reject(new Error(`the libwebrtc far end exited (${code}) before listening: ${err}`));
    });
  });
}
