import type { ServerFact } from "../facts/servers.js";
import { definePhase } from "../pipeline/phase.js";
import type { NatServer, SilentServer } from "../probes/nat/index.js";
import type { PhaseSettings } from "./settings.js";

/** TURN servers answer Binding too: every server reached over UDP can serve NAT discovery. */
const overUdp = (servers: readonly ServerFact[]) => servers.filter((s) => s.transport === "udp" && s.remoteAddress);
/** The probe got something back over UDP (a success or a STUN error: either way the path works). */
const answered = (s: ServerFact) => s.rttMs !== undefined;
/** Sent, and an ICMP error came back: not a connect that failed before anything was sent (no route). */
const icmpAfterSend = (s: ServerFact, code: "port-unreachable" | "network-unreachable") => s.error?.code === code && s.exchanges.length > 0;

function silentServer(s: ServerFact): SilentServer {
  const icmp = icmpAfterSend(s, "port-unreachable") ? "port-unreachable" : icmpAfterSend(s, "network-unreachable") ? "prohibited" : undefined;
  return {
    url: s.url,
    id: s.id,
    address: s.remoteAddress!,
    attempts: (s.exchanges[0]?.retransmissions ?? 0) + 1,
    waitedMs: s.udpWaitCut?.boundMs ?? s.durationMs,
    ...(icmp ? { icmp } : {}),
  };
}

/**
 * What NAT discovery takes from the server probes: the servers that answered over UDP, with their
 * RTT, so its first contact needs no long wait; and those that did not, which are not waited for a
 * second time. When none answered, that silence (or a router's "prohibited") is the "UDP blocked"
 * verdict; a port unreachable is an answer from the far end, kept apart as `refused`.
 */
export function natInputs(servers: readonly ServerFact[]): { answering: NatServer[]; silent: SilentServer[]; refused: SilentServer[] } {
  const udp = overUdp(servers);
  return {
    answering: udp.filter(answered).map((s) => ({ url: s.url, id: s.id, address: s.remoteAddress!, rttMs: s.rttMs })),
    silent: udp.filter((s) => !answered(s) && (s.error?.code === "timeout" || icmpAfterSend(s, "network-unreachable"))).map(silentServer),
    refused: udp.filter((s) => !answered(s) && icmpAfterSend(s, "port-unreachable")).map(silentServer),
  };
}

export function natPhase(settings: PhaseSettings) {
  return definePhase({
    name: "nat",
    needs: ["servers"],
    produces: ["nat"],
    applies: ({ servers }) => overUdp(servers).length > 0,
    describe: () => "classifying the NAT",
    run: async ({ servers }) => {
      const { classifyNat } = await import("../probes/nat/index.js");
      const { answering, silent, refused } = natInputs(servers);
      return { nat: await classifyNat(answering, { timeoutMs: settings.timeoutMs, natLifetime: settings.natLifetime, silent, refused }) };
    },
  });
}
