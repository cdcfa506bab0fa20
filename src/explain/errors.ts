import { ConfigError } from "../config/errors.js";

/** Input to `explain` that is none of the shapes it reads; one line, exit 2. */
export class ExplainInputError extends ConfigError {}
