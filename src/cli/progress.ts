import type { Ora } from "ora";
import type { ProgressEvent } from "../check.js";

/**
 * Spinners on stderr, only for a person at a terminal: CI logs and pipes get no control codes.
 * Phases run in parallel, so one spinner shows what is still running.
 */
export async function createProgress(enabled: boolean): Promise<{ onProgress(event: ProgressEvent): void; stop(): void }> {
  if (!enabled) return { onProgress() {}, stop() {} };
  // Loaded only for a terminal: pipes, CI and every other command never pay for ora.
  const { default: ora } = await import("ora");
  const running = new Map<string, string>();
  let spinner: Ora | undefined;
  const refresh = () => {
    const text = [...running.values()].join(" · ");
    if (text === "") {
      spinner?.stop();
      spinner = undefined;
    } else if (spinner) spinner.text = text;
    else spinner = ora({ text, stream: process.stderr }).start();
  };
  return {
    onProgress(event) {
      if (event.state === "start") running.set(event.phase, event.text);
      else running.delete(event.phase);
      refresh();
    },
    stop() {
      running.clear();
      refresh();
    },
  };
}
