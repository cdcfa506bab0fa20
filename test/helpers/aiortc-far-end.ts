import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startFarEndProcess } from "./far-end-process.js";

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
  /** "echo" (default) sends every audio track back; "receive-only" answers the audio m-line recvonly. */
  audio?: "echo" | "receive-only";
  /** Bound on the wait for its ready line. */
  timeoutMs?: number;
}

/** Why aiortc cannot run here, or undefined. */
export function aiortcMissing(): string | undefined {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", "import aiortc"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `aiortc is not importable by ${SYSTEM_PYTHON} (Debian: apt-get install -y python3-aiortc): ${(r.stderr || String(r.error)).trim().split("\n").pop()}`;
}

/** Starts the far end and resolves once it listens (its port on stdout); bounded by `timeoutMs`. */
export function startAiortcFarEnd(options: AiortcFarEndOptions = {}): Promise<AiortcFarEnd> {
  const argv = [...(options.prefix ?? []), SYSTEM_PYTHON, SCRIPT, "--port", String(options.port ?? 0), "--ice-servers", JSON.stringify(options.iceServers ?? []), "--audio", options.audio ?? "echo"];
  return startFarEndProcess(argv, "the aiortc far end", options.timeoutMs ?? 20_000, (out) => {
    const line = out.split("\n").find((l) => l.startsWith("{"));
    return line ? { port: (JSON.parse(line) as { ready: number }).ready } : undefined;
  });
}
