/**
 * A problem with what the user gave us (flags, JSON, env, config file). The CLI prints `message`
 * as one line and exits 2; nothing has been sent on the network when this is thrown.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(message: string) {
    super(message);
  }
}
