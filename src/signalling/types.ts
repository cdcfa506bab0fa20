export const SIGNAL_PROTOCOLS = ["whip", "pipecat", "auto"] as const;
export type SignalProtocol = (typeof SIGNAL_PROTOCOLS)[number];
