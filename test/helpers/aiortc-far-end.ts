import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * aiortc (Debian's python3-aiortc) as the far side: a Pipecat SmallWebRTC-style bot server and WHIP
 * endpoint (test/helpers/aiortc-far-end.py). aiortc gathers every candidate before it answers, as
 * Pipecat does, so its ICE servers decide how long the answer takes.
 */

/** Debian's interpreter: the pyenv python3 on PATH has no aiortc. */
export const SYSTEM_PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./aiortc-far-end.py", import.meta.url));

export interface AiortcFarEnd {
  port: number;
  /** What it logged (ICE states, how long each answer's gathering took). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface AiortcFarEndOptions {
  /** The far side's own RTCIceServer list (none: host candidates only). */
  iceServers?: { urls: string | string[]; username?: string; credential?: string }[];
  port?: number;
  /** Run it elsewhere, e.g. ["ip", "netns", "exec", "ns"]. */
  prefix?: string[];
  /** Bound on the wait for its ready line. */
  timeoutMs?: number;
}

/** Why aiortc cannot run here, or undefined. */
export function aiortcMissing(): string | undefined {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import aiortc"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `aiortc is not importable by ${SYSTEM_PYTHON} (Debian: apt-get install -y python3-aiortc): ${(r.stderr || String(r.error)).trim().split("\n").pop()}`;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function startAiortcFarEnd(options: AiortcFarEndOptions = {}): Promise<AiortcFarEnd> {
  const argv = [...(options.prefix ?? []), SYSTEM_PYTHON, SCRIPT, "--port", String(options.port ?? 0), "--ice-servers", JSON.stringify(options.iceServers ?? [])];
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
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      void stop();
      reject(new Error(`the aiortc far end was not ready within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(guard);
      const port = (JSON.parse(line) as { ready: number }).ready;
      resolve({ port, stderr: () => err, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(guard);
      running.delete(child);
      reject(new Error(`the aiortc far end exited (${code}) before it was ready\n${out}\n${err}`));
    });
  });
}
