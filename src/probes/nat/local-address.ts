import { createSocket } from "node:dgram";
import { networkInterfaces } from "node:os";
import type { TransportAddress } from "../../facts/common.js";

/**
 * The source address the kernel picks towards `remote`. A UDP connect() only consults the routing
 * table, sends nothing, and tells us what a socket bound to 0.0.0.0 really sends from.
 */
export async function sourceAddressTowards(remote: TransportAddress): Promise<string | undefined> {
  const probe = createSocket(remote.family === 6 ? "udp6" : "udp4");
  try {
    return await new Promise<string | undefined>((resolve) => {
      probe.once("error", () => resolve(undefined));
      probe.connect(remote.port, remote.address, () => resolve(probe.address().address));
    });
  } finally {
    probe.close();
  }
}

export function isLocalInterfaceAddress(address: string): boolean {
  const wanted = address.toLowerCase().replace(/^::ffff:/, "");
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address.toLowerCase() === wanted));
}
