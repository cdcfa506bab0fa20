import { startFarEndProcess } from "../helpers/far-end-process.js";
import { ROOT } from "./lab.js";

/** A libwebrtc far end (test/lab/wrtc-answerer.mjs) running inside a lab namespace. */
export interface LabFarEnd {
  stderr(): string;
  stop(): Promise<void>;
}

export interface FarEndConfig {
  port: number;
  iceServers: { urls: string; username?: string; credential?: string }[];
  /** "srflx": answer as soon as a server-reflexive candidate is there, instead of when gathering completes. */
  answerOn?: "srflx";
  gatherTimeoutMs?: number;
}

/** Starts the far end in `namespace` and resolves once it listens; bounded by `timeoutMs`. */
export function startLabFarEnd(namespace: string, config: FarEndConfig, timeoutMs = 20_000): Promise<LabFarEnd> {
  const argv = ["ip", "netns", "exec", namespace, process.execPath, `${ROOT}test/lab/wrtc-answerer.mjs`, JSON.stringify(config)];
  return startFarEndProcess(argv, "the libwebrtc far end", timeoutMs, (out) => (out.includes("listening") ? {} : undefined));
}
