/** The `benchpilot` command: argv → a command; every error becomes a message and an exit code. */
import { createWriteStream, writeFileSync } from 'node:fs';
import { BenchpilotError, EXIT_CODES, isBenchpilotError } from '../protocol/errors.js';
import type { RunEvent } from '../protocol/events.js';
import type { RunSummary } from '../protocol/summary.js';
import { DRIVERS } from '../runner/registry.js';
import { startWorkloadRun } from '../runner/run-workload.js';
import { loadWorkload } from '../workload/load.js';
import {
  parseRunArgs,
  parseValidateArgs,
  RUN_USAGE,
  type RunCommandOptions,
  VALIDATE_USAGE,
} from './args.js';
import { runDemo } from './demo.js';
import { attachLiveControl } from './live-control.js';
import { ProgressDisplay } from './progress.js';
import { serveCommand, tokenCommand } from './serve-command.js';
import { renderSummary } from './summary-table.js';

const USAGE = `Usage: benchpilot <command> [options]

Commands:
  serve           start the control plane: web UI, API, local executor (benchpilot serve --help)
  token create    create an API token (--role viewer|operator)
  run FILE        run a workload's phases and print a summary (benchpilot run --help)
  validate FILE   check a workload file without running it
  demo            run the SQL e-commerce workload against an embedded PostgreSQL (PGlite)
  drivers         list the drivers
  help            this text`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const options = parseRunArgs(rest);
        if (options === 'help') return printed(RUN_USAGE);
        return await runCommand(options);
      }
      case 'validate': {
        const options = parseValidateArgs(rest);
        if (options === 'help') return printed(VALIDATE_USAGE);
        const loaded = await loadWorkload(options.file, { drivers: DRIVERS, sets: options.sets });
        const phases = loaded.spec.phases.map((p) => p.name).join(', ');
        console.log(
          `${options.file}: ok — workload ${loaded.spec.name}, driver ${loaded.plugin.name}, phases ${phases}`,
        );
        return EXIT_CODES.ok;
      }
      case 'serve':
        return await serveCommand(rest);
      case 'token':
        return await tokenCommand(rest);
      case 'demo':
        return await runDemo(rest, runCommand);
      case 'runner':
        return await (await import('./runner-command.js')).runnerCommand(rest);
      case 'drivers':
        for (const d of DRIVERS.values()) console.log(`${d.name.padEnd(12)} ${d.description}`);
        return EXIT_CODES.ok;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return printed(USAGE);
      default:
        throw new BenchpilotError('BP_USAGE', `unknown command ${command}\n\n${USAGE}`);
    }
  } catch (err) {
    return reportError(err);
  }
}

function printed(text: string): number {
  console.log(text);
  return EXIT_CODES.ok;
}

export function reportError(err: unknown): number {
  if (isBenchpilotError(err)) {
    console.error(err.describe());
    return err.exitCode;
  }
  console.error(`BP_INTERNAL: ${(err as Error)?.stack ?? String(err)}`);
  return EXIT_CODES.internal;
}

export async function runCommand(
  options: RunCommandOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const eventsToStdout = options.events === '-';
  const eventStream = options.events && !eventsToStdout ? createWriteStream(options.events) : null;
  // With events on stdout, humans get their progress on stderr.
  const progress = options.progress
    ? new ProgressDisplay(eventsToStdout ? process.stderr : process.stdout)
    : null;
  let live: ReturnType<typeof attachLiveControl> | null = null;
  const onEvent = (event: RunEvent): void => {
    if (eventsToStdout) process.stdout.write(`${JSON.stringify(event)}\n`);
    eventStream?.write(`${JSON.stringify(event)}\n`);
    progress?.onEvent(event);
    if (event.type === 'snapshot' || event.type === 'phase-start') live?.track(event.target);
  };
  const run = startWorkloadRun({
    file: options.file,
    sets: options.sets,
    overrides: options.overrides,
    only: options.only,
    workers: options.workers,
    partition: options.partition,
    env,
    onEvent,
  });
  live = attachLiveControl(run, { controlFile: options.controlFile, log: (m) => console.error(m) });
  let summary: RunSummary;
  try {
    summary = await run.done;
  } finally {
    live.detach();
    await new Promise<void>((resolve) => (eventStream ? eventStream.end(resolve) : resolve()));
  }
  if (options.json) writeFileSync(options.json, `${JSON.stringify(summary, null, 2)}\n`);
  const human = eventsToStdout ? process.stderr : process.stdout;
  human.write(`${renderSummary(summary, Boolean(human.isTTY))}\n`);
  const failure = summary.phases.find((p) => p.failure)?.failure;
  if (failure) return failure.code === 'BP_INTERNAL' ? EXIT_CODES.internal : EXIT_CODES.cannotRun;
  return summary.thresholdsOk ? EXIT_CODES.ok : EXIT_CODES.thresholdsFailed;
}
