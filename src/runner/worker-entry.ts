/** Worker-thread entry for `--workers N`: loads the workload itself and runs what it is told. */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../engine/clock.js';
import type { PhaseExecution } from '../engine/phase-execution.js';
import { isBenchpilotError } from '../protocol/errors.js';
import { loadWorkload } from '../workload/load.js';
import { applyControl } from './control.js';
import { InThreadHost } from './host.js';
import { DRIVERS } from './registry.js';
import type { FromWorker, ToWorker, WorkerInit } from './thread-messages.js';

const port = parentPort!;
const init = workerData as WorkerInit;
let host: InThreadHost | null = null;
let execution: PhaseExecution | null = null;

const send = (message: FromWorker): void => port.postMessage(message);
const fail = (err: unknown): void => {
  send({
    type: 'error',
    code: isBenchpilotError(err) ? err.code : 'BP_INTERNAL',
    message: isBenchpilotError(err) ? err.describe() : String((err as Error)?.stack ?? err),
  });
};

port.on('message', (message: ToWorker) => {
  handle(message).catch(fail);
});

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'open': {
      const loaded = await loadWorkload(init.file, {
        drivers: DRIVERS,
        env: init.env,
        sets: init.sets,
        overrides: init.overrides,
      });
      host = new InThreadHost(loaded, systemClock, init.hosts);
      await host.open();
      send({ type: 'opened' });
      return;
    }
    case 'start': {
      if (!host) throw new Error('start before open');
      execution = await host.start(message.request, (snapshot) => send({ type: 'snapshot', snapshot }));
      send({ type: 'started' });
      const outcome = await execution.done;
      execution = null;
      send({ type: 'done', outcome });
      return;
    }
    case 'control':
      if (execution) applyControl(execution, message.action);
      return;
    case 'close':
      await host?.close();
      host = null;
      send({ type: 'closed' });
      port.close();
      return;
  }
}
