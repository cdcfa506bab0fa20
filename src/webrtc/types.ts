/** werift's types as the adapter hands them out; type-only, so importing them loads nothing. */
export type Werift = typeof import("werift");
export type PeerConnection = InstanceType<Werift["RTCPeerConnection"]>;
export type DataChannel = ReturnType<PeerConnection["createDataChannel"]>;
export type PeerConfig = NonNullable<ConstructorParameters<Werift["RTCPeerConnection"]>[0]>;
