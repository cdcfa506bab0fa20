import { ConfigError } from "../config/errors.js";

/** Input that is not a usable session description; the CLI prints it as one line and exits 2. */
export class SdpError extends ConfigError {}
