import { performance } from "node:perf_hooks";
import type { TransportAddress } from "../../facts/common.js";
import type { NatTest } from "../../facts/nat.js";
import { CHANGE_IP, CHANGE_PORT, addressAttribute, errorCodeOf, isSuccess, mappedAddressOf, methods, newRequest } from "../../stun/message.js";
import { StunTimeoutError } from "../../stun/transaction.js";
import type { UdpStunSocket } from "../../stun/udp-socket.js";
import { sameTransportAddress } from "./classify.js";
import { rttSample, type RetransmitPlan } from "./timing.js";

/** The one local socket a run's tests share, with the address it is really sent from (not 0.0.0.0). */
export interface NatSocket {
  socket: UdpStunSocket;
  local: TransportAddress;
}

export interface BindingTestSpec {
  name: string;
  to: TransportAddress;
  plan: RetransmitPlan;
  changeRequest?: { ip: boolean; port: boolean };
  /** RFC 5780: where a CHANGE-REQUEST answer must come from; an answer from anywhere else proves nothing. */
  expectFrom?: TransportAddress;
}

export interface BindingOutcome {
  /** The evidence as the report shows it. */
  test: NatTest;
  /** A success response from where it had to come from. */
  answered: boolean;
  /** Something came back, but not what the test needs (an error, or from the wrong source). */
  invalid: boolean;
  mapped?: TransportAddress;
  otherAddress?: TransportAddress;
  /** Karn-safe RTT, for timeouts later in the run. */
  rttMs?: number;
}

export function showAddress(a: TransportAddress): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** One Binding transaction of a NAT test, recorded whatever happens. Never throws for network reasons. */
export async function bindingTest({ socket, local }: NatSocket, spec: BindingTestSpec): Promise<BindingOutcome> {
  const request = newRequest(methods.BINDING);
  if (spec.changeRequest) {
    request.setAttribute("CHANGE-REQUEST", (spec.changeRequest.ip ? CHANGE_IP : 0) | (spec.changeRequest.port ? CHANGE_PORT : 0));
  }
  const test: NatTest = {
    name: spec.name,
    localAddress: local,
    sentTo: spec.to,
    ...(spec.changeRequest ? { changeRequest: spec.changeRequest } : {}),
    attempts: 0,
    result: "",
  };
  const started = performance.now();
  try {
    const result = await socket.request(request, spec.to, {
      timeoutMs: spec.plan.timeoutMs,
      initialRtoMs: spec.plan.initialRtoMs,
      maxAttempts: spec.plan.attempts,
      acceptAnySource: !!spec.expectFrom,
    });
    const rttMs = rttSample(result.rttMs, result.retransmissions, performance.now() - started);
    test.attempts = result.retransmissions + 1;
    test.responseFrom = result.from;
    test.rttMs = Math.round(rttMs * 100) / 100;
    const response = result.response;
    if (!isSuccess(response)) {
      const error = errorCodeOf(response);
      test.result = error ? `error ${error.code} ${error.reason}`.trim() : "not a success response";
      return { test, answered: false, invalid: true, rttMs };
    }
    const mapped = mappedAddressOf(response);
    const otherAddress = addressAttribute(response, "OTHER-ADDRESS");
    if (mapped) test.mappedAddress = mapped;
    if (spec.expectFrom && !sameTransportAddress(result.from, spec.expectFrom)) {
      test.result = `answer came from ${showAddress(result.from)}, not from ${showAddress(spec.expectFrom)} as asked: the server ignored CHANGE-REQUEST`;
      return { test, answered: false, invalid: true, mapped, rttMs };
    }
    test.result = mapped ? `answered: mapped to ${showAddress(mapped)}` : "answered without a mapped address";
    return { test, answered: !!mapped, invalid: !mapped, mapped, otherAddress, rttMs };
  } catch (error) {
    if (!(error instanceof StunTimeoutError)) throw error;
    test.attempts = error.attempts;
    test.result = `no answer (${error.attempts} ${error.attempts === 1 ? "send" : "sends"}, waited ${Math.round(error.elapsedMs)} ms)`;
    return { test, answered: false, invalid: false };
  }
}
