/**
 * werift 0.24 sends each message of a DTLS flight in a datagram of its own: the server's flight 4
 * (ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone) is five
 * datagrams, the client's flight 5 five more, and a flight is only complete when every one of them
 * arrives. A browser's DTLS (BoringSSL) packs a flight's records into as few datagrams as its MTU
 * allows, here one. With 4% loss on each crossing of a router, a relayed path loses ~8% of the
 * datagrams each way: a five-datagram flight then fails a third of the time and costs a 500 ms
 * retransmission, a one-datagram flight fails one time in twelve.
 *
 * The records werift hands its transport in one go (one flight, or one retransmission of it) leave
 * in as few datagrams as fit the MTU, in the order werift wrote them, as RFC 6347 4.1.1 allows.
 * Application data is not touched.
 */

/** libwebrtc's DTLS MTU: a datagram this size fits under TURN's ChannelData and IPv6 headers on any path. */
export const DTLS_MTU = 1200;

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_HANDSHAKE = 22;

type Send = (data: Buffer, addr?: unknown) => Promise<unknown>;

interface Waiter {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Greedy packing in order: consecutive buffers share a datagram while it stays within the MTU. */
export function packDatagrams(buffers: readonly Buffer[], mtu = DTLS_MTU): Buffer[][] {
  const datagrams: Buffer[][] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const buffer of buffers) {
    if (current.length > 0 && size + buffer.length > mtu) {
      datagrams.push(current);
      current = [];
      size = 0;
    }
    current.push(buffer);
    size += buffer.length;
  }
  if (current.length > 0) datagrams.push(current);
  return datagrams;
}

/** werift's DtlsSocket as far as the packing needs it: its TransportContext, whose send every flight calls. */
export interface WeriftDtlsSendSide {
  transport?: { send?: Send; rtcDoctorPacked?: boolean };
}

/**
 * Handshake and ChangeCipherSpec records sent in one synchronous run (werift's Flight.send maps over
 * a flight's buffers) are sent together once that run is over; each caller's promise settles with
 * the datagram its records went in.
 */
export function packFlights(socket: WeriftDtlsSendSide | undefined): void {
  const context = socket?.transport;
  const send = context?.send;
  if (!context || context.rtcDoctorPacked || typeof send !== "function") return;
  let queue: { buffer: Buffer; waiter: Waiter }[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    let at = 0;
    for (const datagram of packDatagrams(batch.map((q) => q.buffer))) {
      const waiters = batch.slice(at, at + datagram.length).map((q) => q.waiter);
      at += datagram.length;
      send(datagram.length === 1 ? datagram[0]! : Buffer.concat(datagram)).then(
        (value) => waiters.forEach((w) => w.resolve(value)),
        (error: unknown) => waiters.forEach((w) => w.reject(error)),
      );
    }
  };
  context.send = (data: Buffer, addr?: unknown) => {
    const type = data[0];
    if (addr !== undefined || (type !== CONTENT_HANDSHAKE && type !== CONTENT_CHANGE_CIPHER_SPEC)) return send(data, addr);
    return new Promise((resolve, reject) => {
      if (queue.length === 0) queueMicrotask(flush);
      queue.push({ buffer: data, waiter: { resolve, reject } });
    });
  };
  context.rtcDoctorPacked = true;
}
