import type { PeerConnection } from "./types.js";

/**
 * Makes a peer the far end of an attempt for audio too: every RTP packet that arrives on an audio
 * m-line the offer sends on goes straight back on that m-line's own sender (SSRC and payload type
 * rewritten by werift), so the client hears its own audio and can tell both directions apart.
 * Call after setRemoteDescription(offer), before createAnswer: the answer then says sendrecv.
 */
export function echoAudio(pc: PeerConnection): void {
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.kind !== "audio") continue;
    // werift makes transceivers for a remote offer recvonly; the offer's own direction is offerDirection.
    const offered = (transceiver as unknown as { offerDirection?: string }).offerDirection;
    if (offered !== "sendrecv") continue;
    transceiver.setDirection("sendrecv");
    transceiver.receiver.track.onReceiveRtp.subscribe((rtp) => {
      transceiver.sender.sendRtp(rtp.clone()).catch(() => undefined);
    });
  }
}
