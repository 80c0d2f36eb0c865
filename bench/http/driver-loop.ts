/**
 * The http driver alone in a closed loop, without the engine: `connections` loops, each
 * executing the next op as soon as the previous completes. Shows the driver's own ceiling;
 * the CLI numbers in bench/http.sh include the engine (scheduler, histograms).
 * Usage: node dist/bench/http/driver-loop.js URL CONNECTIONS SECONDS [undici|raw]
 */
import { httpDriver } from '../../src/drivers/http/index.js';
import { httpOpSchema } from '../../src/drivers/http/options.js';
import { compileBindings } from '../../src/engine/bindings/index.js';
import type { OpCompletion, PreparedOp } from '../../src/engine/driver.js';

const [url = 'http://127.0.0.1:8080', connectionsText = '50', secondsText = '10', transport = 'undici'] =
  process.argv.slice(2);
const connections = Number(connectionsText);
const seconds = Number(secondsText);

let completed = 0;
let errors = 0;
let running = true;
let cycle = 0;

class Loop implements OpCompletion {
  constructor(readonly op: PreparedOp) {}
  done(errorClass: string | null): void {
    completed++;
    if (errorClass !== null) errors++;
    if (running) this.op.execute(cycle++, this);
  }
}

const target = httpDriver.targetSchema.parse({ driver: 'http', url, connections, transport });
const driver = httpDriver.create(target, { maxInFlight: connections, workloadName: 'driver-loop' });
await driver.connect();
const op = await driver.prepare(httpOpSchema.parse({ path: '/' }), {
  opName: 'get',
  bindings: compileBindings({}, { seed: 0 }),
});
const started = performance.now();
for (let i = 0; i < connections; i++) {
  const loop = new Loop(op);
  op.execute(cycle++, loop);
}
// client CPU per request, measured after a 1 s warmup (robust on a shared, busy machine)
await new Promise((resolve) => setTimeout(resolve, 1000));
const cpuStart = process.cpuUsage();
const countStart = completed;
await new Promise((resolve) => setTimeout(resolve, (seconds - 1) * 1000));
running = false;
const cpu = process.cpuUsage(cpuStart);
const cpuMicrosPerRequest = (cpu.user + cpu.system) / (completed - countStart);
const elapsed = (performance.now() - started) / 1000;
await new Promise((resolve) => setTimeout(resolve, 100));
await driver.close();
console.log(
  JSON.stringify({
    transport,
    connections,
    seconds: elapsed,
    requests: completed,
    errors,
    rps: Math.round(completed / elapsed),
    cpuMicrosPerRequest: Number(cpuMicrosPerRequest.toFixed(2)),
  }),
);
