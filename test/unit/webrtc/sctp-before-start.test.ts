import { describe, expect, it } from "vitest";
import { loadWerift } from "../../../src/webrtc/peer.js";

describe("numberChannelsBeforeStart: werift's data channel flush on an association it has not started", () => {
  it("numbers a queued channel as start() would and sends its DCEP OPEN, instead of throwing", async () => {
    const { RTCSctpTransport } = await loadWerift();
    const transport = new RTCSctpTransport();
    // As werift leaves it when the far end's INIT came before our DTLS was connected (or when our
    // DTLS transport failed): not started, so no data channel id yet, yet its SCTP answered the
    // far end's INIT and is established, with a channel of ours waiting to be opened.
    const sent: number[] = [];
    const ids: number[] = [];
    const internals = transport as unknown as {
      dtlsTransport: unknown;
      sctp: unknown;
      dataChannelQueue: unknown[];
      dataChannelFlush(): Promise<void>;
    };
    internals.dtlsTransport = { iceTransport: { role: "controlling" } };
    internals.sctp = { associationState: 4, send: async (streamId: number) => void sent.push(streamId) };
    internals.dataChannelQueue = [[{ id: undefined, setId: (id: number) => void ids.push(id) }, 50, Buffer.from([3])]];
    await expect(internals.dataChannelFlush()).resolves.toBeUndefined();
    expect({ ids, sent }).toEqual({ ids: [1], sent: [1] });
  });
});
