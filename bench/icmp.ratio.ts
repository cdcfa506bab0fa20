import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, it } from "vitest";
import { check, type CheckOptions } from "../src/index.js";
import { startCoturn, type Coturn } from "../test/helpers/coturn.js";
import { freeUdpPort } from "../test/helpers/ports.js";
import { printRatio, sideBySide } from "./ratio.js";

// Issue 10: an ICMP port unreachable is an answer. A STUN URL whose port has nothing behind it ends
// at the kernel's refusal instead of the whole timeout, so the check costs what a healthy one does
// (before, it cost the timeout: 3000 ms by default, and the NAT verdict wrongly said "UDP blocked").
let coturn: Coturn;
beforeAll(async () => {
  coturn = await startCoturn({ tls: false });
});
afterAll(async () => {
  await coturn?.stop();
});

async function wallMs(options: CheckOptions, expectCode: "port-unreachable" | undefined): Promise<number> {
  const started = performance.now();
  const report = await check(options);
  const ms = performance.now() - started;
  const code = report.servers[0]?.error?.code;
  if (code !== expectCode) throw new Error(`the STUN probe ended with ${code ?? "success"}, not ${expectCode ?? "success"}: the figure would be wrong`);
  return ms;
}

it("a check against a STUN port where nothing listens, against one with a working STUN server (loopback)", async () => {
  const closed = await freeUdpPort();
  const verdictOnly = { gather: false, connect: false };
  const t = await sideBySide(
    () => wallMs({ stun: [`stun:127.0.0.1:${coturn.port}`], ...verdictOnly }, undefined),
    { refused: () => wallMs({ stun: [`stun:127.0.0.1:${closed}`], ...verdictOnly }, "port-unreachable") },
    9,
  );
  printRatio({ label: "refused STUN port / working STUN (servers+NAT)", ...t.refused, goal: 1.5, unit: "ms" });
});
