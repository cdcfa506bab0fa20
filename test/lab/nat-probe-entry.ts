import { classifyNat, type NatOptions, type NatServer } from "../../src/probes/nat/index.js";

/**
 * Runs the NAT probe inside a lab namespace: `ip netns exec NS node <compiled entry> '<json>'`.
 * A child process because a namespace is per process, and compiled because Node 20 cannot run
 * TypeScript itself. Prints the NatFact as JSON on stdout.
 */
const input = JSON.parse(process.argv[2] ?? "{}") as { servers: NatServer[]; options?: NatOptions };
const fact = await classifyNat(input.servers, input.options ?? {});
process.stdout.write(`${JSON.stringify(fact)}\n`);
