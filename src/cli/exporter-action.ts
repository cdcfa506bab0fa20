import { ConfigError } from "../config/errors.js";
import { builtInModules, moduleSecrets } from "../exporter/module.js";
import type { Output } from "./output.js";
import { untilStopSignal } from "./interrupt.js";

export interface ExporterFlags {
  config?: string;
  host: string;
  port: number;
  concurrency: number;
  timeoutOffset: number;
  verbose?: boolean;
}

/** What `exporter` does once its flags parsed: loads the modules, listens, runs until SIGINT or SIGTERM. */
export async function runExporter(out: Output, setExit: (code: number) => void, flags: ExporterFlags): Promise<void> {
  const { loadModulesFile } = await import("../exporter/modules-file.js");
  const modules = flags.config !== undefined ? await loadModulesFile(flags.config, process.env) : builtInModules();
  const safe = out.withSecrets([...modules.values()].flatMap(moduleSecrets));
  const { startExporter } = await import("../exporter/server.js");
  let running;
  try {
    running = await startExporter({
      host: flags.host,
      port: flags.port,
      modules,
      concurrency: flags.concurrency,
      timeoutOffsetMs: Math.round(flags.timeoutOffset * 1000),
      ...(flags.verbose ? { log: (line: string) => safe.stderr(`${new Date().toISOString()} ${line}\n`) } : {}),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new ConfigError(`exporter: cannot listen on ${flags.host}:${flags.port} (${e.code ?? e.message})`);
  }
  safe.stdout(`rtc-doctor exporter listening on ${running.url} (modules: ${[...modules.keys()].join(", ")})\n`);
  await untilStopSignal();
  await running.close();
  setExit(0);
}
