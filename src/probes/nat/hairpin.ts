import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../../facts/common.js";
import type { NatTest } from "../../facts/nat.js";
import { methods, newRequest } from "../../stun/message.js";
import { sameTransportAddress } from "./classify.js";
import { showAddress, type NatSocket } from "./binding-test.js";
import type { RetransmitPlan } from "./timing.js";

export interface HairpinOutcome {
  test: NatTest;
  hairpinning: boolean;
}

/**
 * RFC 5780 section 4.5: a Binding request sent to our own mapped address from the same socket. If
 * the NAT hairpins, the request itself comes back to us (nobody answers it: it is our own).
 */
export function hairpinTest({ socket, local }: NatSocket, mapped: TransportAddress, plan: RetransmitPlan): Promise<HairpinOutcome> {
  const request = newRequest(methods.BINDING);
  const id = request.transactionId.toString("hex");
  const test: NatTest = { name: "hairpinning", localAddress: local, sentTo: mapped, attempts: 0, result: "" };
  const started = performance.now();

  return new Promise<HairpinOutcome>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (hairpinning: boolean, from?: TransportAddress) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      stopListening();
      if (from) {
        test.responseFrom = from;
        test.rttMs = Math.round((performance.now() - started) * 100) / 100;
        test.result = sameTransportAddress(from, mapped)
          ? "our request to our own public address came back from it: hairpinning works"
          : `our request to our own public address came back from ${showAddress(from)}: hairpinning works (with another source address)`;
      } else {
        test.result = `our request did not come back (${test.attempts} sends, waited ${Math.round(performance.now() - started)} ms): no hairpinning`;
      }
      resolve({ test, hairpinning });
    };
    const stopListening = socket.onUnmatched((message, from) => {
      if (message.transactionId.toString("hex") === id) finish(true, from);
    });
    let rto = plan.initialRtoMs;
    let at = 0;
    for (let i = 0; i < plan.attempts; i += 1) {
      timers.push(
        setTimeout(() => {
          test.attempts += 1;
          socket.send(request, mapped);
        }, at),
      );
      at += rto;
      rto *= 2;
    }
    // setImmediate: a hairpinned request already received is read before the deadline counts (timers run before I/O).
    timers.push(setTimeout(() => setImmediate(() => finish(false)), plan.timeoutMs));
  });
}
