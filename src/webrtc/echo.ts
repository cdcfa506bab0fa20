import type { PeerConnection } from "./peer.js";

/** Makes a peer the far end of an attempt: every data-channel message goes straight back. */
export function echoDataChannels(pc: PeerConnection): void {
  pc.onDataChannel.subscribe((channel) => {
    channel.onMessage.subscribe((data) => {
      if (channel.readyState === "open") channel.send(data);
    });
  });
}
