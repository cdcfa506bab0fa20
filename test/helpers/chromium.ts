import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";

export const CHROMIUM = "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/**
 * Debian's Chromium, headless, as ../shared/notes/chromium.md says it runs here: no sandbox as root,
 * no background networking (this machine's closed network refuses it), a fresh profile.
 * `--allow-loopback-in-peer-connection` lets WebRTC use 127.0.0.1, where the tests' servers are.
 * mDNS host names stay on, as a visitor's browser has them.
 */
export async function launchChromium(extraArgs: string[] = [], options: { namespace?: string } = {}): Promise<{ browser: Browser; close(): Promise<void> }> {
  const { launch } = await import("puppeteer-core");
  const profile = mkdtempSync(join(tmpdir(), "rtc-doctor-chromium-"));
  let executablePath = CHROMIUM;
  if (options.namespace) {
    // Inside a lab namespace: the browser's network is the namespace's. DevTools runs over a pipe
    // (inherited through ip netns exec), since the namespace's loopback is not this process's.
    executablePath = join(profile, "chromium-in-netns");
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${options.namespace} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  }
  const browser = await launch({
    executablePath,
    pipe: options.namespace !== undefined,
    headless: true,
    protocolTimeout: 60_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--allow-loopback-in-peer-connection",
      `--user-data-dir=${profile}`,
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
