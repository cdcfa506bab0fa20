import { setTimeout as sleep } from "node:timers/promises";
import type { TransportAddress } from "../../facts/common.js";
import type { NatTest } from "../../facts/nat.js";
import { isSuccess, methods, newRequest } from "../../stun/message.js";
import { UdpStunSocket } from "../../stun/udp-socket.js";
import { bindingTest, type NatSocket } from "./binding-test.js";
import type { RetransmitPlan } from "./timing.js";

/** RFC 5780 RESPONSE-PORT; werift's codec does not know it, so it travels as a raw attribute. */
const RESPONSE_PORT = 0x0027;

/** Idle times tried, in seconds. Each gets its own socket and they all run at once: the test lasts as long as the longest. */
export const DEFAULT_LIFETIME_PROBES_SEC: readonly number[] = [5, 15, 30, 60, 90, 120];

export interface LifetimeResult {
  /** Longest idle time after which the binding still worked (a lower bound); undefined if none did. */
  lifetimeSec?: number;
  /** Shortest idle time after which it was gone. */
  expiredWithinSec?: number;
  /** Why no lifetime could be measured. */
  reason?: "lifetime-response-port-ignored" | "lifetime-no-binding";
  tests: NatTest[];
}

type ProbeState = "alive" | "expired" | "unsupported" | "no-binding";

/**
 * RFC 5780 section 4.6: socket X makes a binding and stays silent for T seconds; then socket Y asks
 * the server to answer to X's mapped port (RESPONSE-PORT). The answer reaches X only if the NAT
 * still holds X's binding. Y does the asking because any packet from X would refresh the binding.
 */
export async function measureBindingLifetime(
  server: TransportAddress,
  local: TransportAddress,
  plan: RetransmitPlan,
  probesSec: readonly number[] = DEFAULT_LIFETIME_PROBES_SEC,
): Promise<LifetimeResult> {
  const asker = await UdpStunSocket.open(server.family);
  try {
    const probes = await Promise.all([...probesSec].sort((a, b) => a - b).map((t) => probeAfter(t, server, local, asker, plan)));
    const tests = probes.flatMap((p) => p.tests);
    if (probes.some((p) => p.state === "unsupported")) {
      return { tests, reason: "lifetime-response-port-ignored" };
    }
    let lifetimeSec: number | undefined;
    let expiredAt: number | undefined;
    for (const p of probes) {
      if (p.state === "alive" && expiredAt === undefined) lifetimeSec = p.seconds;
      if (p.state === "expired" && expiredAt === undefined) expiredAt = p.seconds;
    }
    if (lifetimeSec === undefined && expiredAt === undefined) {
      return { tests, reason: "lifetime-no-binding" };
    }
    return { ...(lifetimeSec !== undefined ? { lifetimeSec } : {}), ...(expiredAt !== undefined ? { expiredWithinSec: expiredAt } : {}), tests };
  } finally {
    asker.close();
  }
}

async function probeAfter(
  seconds: number,
  server: TransportAddress,
  local: TransportAddress,
  asker: UdpStunSocket,
  plan: RetransmitPlan,
): Promise<{ seconds: number; state: ProbeState; tests: NatTest[] }> {
  const holder = await UdpStunSocket.open(server.family);
  try {
    const probe: NatSocket = { socket: holder, local: { ...local, port: holder.localAddress.port } };
    const opened = await bindingTest(probe, { name: `binding lifetime ${seconds} s: make the binding`, to: server, plan });
    if (!opened.mapped) return { seconds, state: "no-binding", tests: [opened.test] };
    await sleep(seconds * 1000);
    const { state, test } = await askForResponsePort(asker, holder, server, opened.mapped.port, plan, seconds);
    test.localAddress = probe.local;
    return { seconds, state, tests: [opened.test, test] };
  } finally {
    holder.close();
  }
}

function askForResponsePort(
  asker: UdpStunSocket,
  holder: UdpStunSocket,
  server: TransportAddress,
  port: number,
  plan: RetransmitPlan,
  seconds: number,
): Promise<{ state: ProbeState; test: NatTest }> {
  const request = newRequest(methods.BINDING);
  const value = Buffer.alloc(4);
  value.writeUInt16BE(port, 0);
  request.appendRawAttribute(RESPONSE_PORT, value);
  const id = request.transactionId.toString("hex");
  const test: NatTest = { name: `binding lifetime ${seconds} s: answer to the idle binding`, sentTo: server, attempts: 0, result: "" };

  return new Promise((resolve) => {
    let done = false;
    const finish = (state: ProbeState, result: string, from?: TransportAddress) => {
      if (done) return;
      done = true;
      stop();
      test.result = result;
      if (from) test.responseFrom = from;
      resolve({ state, test });
    };
    const stop = holder.onUnmatched((message, from) => {
      if (message.transactionId.toString("hex") !== id) return;
      test.attempts = Math.max(1, test.attempts);
      finish("alive", `after ${seconds} s idle the answer still reached the binding`, from);
    });
    asker
      .request(request, server, { timeoutMs: plan.timeoutMs, initialRtoMs: plan.initialRtoMs, maxAttempts: plan.attempts })
      .then(
        (r) => {
          if (done) return;
          test.attempts = r.retransmissions + 1;
          finish("unsupported", isSuccess(r.response) ? "the server answered the asking socket: it ignores RESPONSE-PORT" : "the server rejected RESPONSE-PORT", r.from);
        },
        (error: { attempts?: number }) => {
          if (done) return;
          test.attempts = error.attempts ?? plan.attempts;
          finish("expired", `after ${seconds} s idle the answer no longer reached the binding`);
        },
      );
  });
}
