/** The http driver against a real HTTP server on 127.0.0.1, for both transports. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpDriver } from '../src/drivers/http/index.js';
import { compileBindings } from '../src/engine/bindings/index.js';
import type { BindingSet } from '../src/engine/bindings/types.js';
import type { Driver, PreparedOp } from '../src/engine/driver.js';
import { BenchpilotError } from '../src/protocol/errors.js';
import { freePort } from './helpers/api.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-server.js';

interface Outcome {
  errorClass: string | null;
  message: string | undefined;
}

const NO_BINDINGS = compileBindings({}, { seed: 0 });

function execute(op: PreparedOp, cycle: number): Promise<Outcome> {
  return new Promise((resolve) =>
    op.execute(cycle, { done: (errorClass, message) => resolve({ errorClass, message }) }),
  );
}

/** Run `total` cycles with `concurrency` loops (closed model), returning outcomes by cycle. */
async function runClosed(op: PreparedOp, total: number, concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const loop = async () => {
    while (next < total) {
      const cycle = next++;
      outcomes[cycle] = await execute(op, cycle);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return outcomes;
}

async function open(
  target: Record<string, unknown>,
  maxInFlight = 16,
): Promise<Driver<Record<string, unknown>>> {
  const parsed = httpDriver.targetSchema.parse({ driver: 'http', ...target });
  const driver = httpDriver.create(parsed, { maxInFlight, workloadName: 'test.yaml' });
  await driver.connect();
  return driver;
}

function prepare(driver: Driver, op: Record<string, unknown>, bindings: BindingSet = NO_BINDINGS) {
  return driver.prepare(httpDriver.opSchema.parse(op), { opName: 'op', bindings });
}

for (const transport of ['undici', 'raw'] as const) {
  describe(`http driver (${transport})`, () => {
    let server: TestHttpServer;
    before(async () => {
      server = await startHttpServer();
    });
    after(() => server.close());

    test('renders bindings into path, headers and a JSON body', async () => {
      const bindings = compileBindings(
        {
          id: { type: 'sequence', start: 100 },
          color: { type: 'choice', values: ['red'] },
        },
        { seed: 0 },
      );
      const driver = await open({
        url: `${server.url}/api/`,
        transport,
        token: 's3cret',
        headers: { 'x-run': 'r1' },
      });
      try {
        const op = await prepare(
          driver,
          {
            method: 'post',
            path: '/items/{id}?color={color}',
            headers: { 'x-item': 'item-{id}', 'content-type': 'application/json' },
            body: '{"id": {id}, "color": "{color}", "nested": {"a": 1}, "é": "{nope"}',
          },
          bindings,
        );
        const start = server.requests.length;
        for (let cycle = 0; cycle < 3; cycle++) assert.deepEqual(await execute(op, cycle), ok());
        const got = server.requests.slice(start);
        assert.deepEqual(
          got.map((r) => r.url),
          ['/api/items/100?color=red', '/api/items/101?color=red', '/api/items/102?color=red'],
        );
        assert.deepEqual(
          got.map((r) => r.method),
          ['POST', 'POST', 'POST'],
        );
        assert.equal(got[1]!.headers['x-item'], 'item-101');
        assert.equal(got[1]!.headers['x-run'], 'r1');
        assert.equal(got[1]!.headers.authorization, 'Bearer s3cret');
        assert.equal(got[1]!.headers['content-type'], 'application/json');
        assert.equal(got[1]!.body, '{"id": 101, "color": "red", "nested": {"a": 1}, "é": "{nope"}');
        assert.equal(got[1]!.headers['content-length'], String(Buffer.byteLength(got[1]!.body)));
      } finally {
        await driver.close();
      }
    });

    test('a constant op sends the same request every time', async () => {
      const driver = await open({ url: server.url, transport, connections: 2 });
      try {
        const op = await prepare(driver, { path: '/static?q=1', headers: { accept: 'text/plain' } });
        const start = server.requests.length;
        const outcomes = await runClosed(op, 20, 4);
        assert.equal(outcomes.filter((o) => o.errorClass === null).length, 20);
        const got = server.requests.slice(start);
        assert.equal(got.length, 20);
        assert.ok(
          got.every(
            (r) => r.url === '/static?q=1' && r.method === 'GET' && r.headers.accept === 'text/plain',
          ),
        );
      } finally {
        await driver.close();
      }
    });

    test('statuses map to error classes; expect decides what is success', async () => {
      const driver = await open({ url: server.url, transport });
      try {
        const cases: [Record<string, unknown>, Outcome][] = [
          [{ path: '/status/200' }, ok()],
          [{ path: '/status/204' }, ok()],
          [{ path: '/status/404' }, { errorClass: 'client', message: '404 Not Found' }],
          [{ path: '/status/503' }, { errorClass: 'server', message: '503 Service Unavailable' }],
          [{ path: '/status/302' }, { errorClass: 'redirect', message: '302 Found' }],
          [
            { path: '/status/201', expect: 200 },
            { errorClass: 'unexpected', message: '201 Created' },
          ],
          [{ path: '/status/404', expect: [200, 404] }, ok()],
          [{ path: '/status/409', expect: '4xx' }, ok()],
          [
            { path: '/status/200', expect: '4xx' },
            { errorClass: 'unexpected', message: '200 OK' },
          ],
        ];
        for (const [fields, expected] of cases) {
          const op = await prepare(driver, fields);
          assert.deepEqual(await execute(op, 0), expected, JSON.stringify(fields));
        }
      } finally {
        await driver.close();
      }
    });

    test('a slow response fails with class timeout', async () => {
      const driver = await open({ url: server.url, transport, timeout: '200ms' });
      try {
        const op = await prepare(driver, { path: '/slow/3000' });
        const started = performance.now();
        const outcome = await execute(op, 0);
        const elapsed = performance.now() - started;
        assert.equal(outcome.errorClass, 'timeout');
        assert.ok(elapsed >= 190 && elapsed < 1500, `timed out after ${elapsed} ms`);
        // the connection is usable again afterwards
        const fast = await prepare(driver, { path: '/fast' });
        assert.deepEqual(await execute(fast, 0), ok());
      } finally {
        await driver.close();
      }
    });

    test('keep-alive: many requests reuse at most `connections` sockets', async () => {
      const driver = await open({ url: server.url, transport, connections: 3 });
      const before = server.connections();
      try {
        const op = await prepare(driver, { path: '/reuse' });
        const outcomes = await runClosed(op, 300, 12);
        assert.equal(outcomes.filter((o) => o.errorClass === null).length, 300);
        const opened = server.connections() - before;
        assert.ok(opened >= 1 && opened <= 3, `opened ${opened} connections`);
      } finally {
        await driver.close();
      }
    });

    test('pipelining sends several requests on one connection before the first answer', async () => {
      const pipelined = await startHttpServer();
      const driver = await open({ url: pipelined.url, transport, connections: 1, pipelining: 4 });
      const before = pipelined.connections(); // connect() may have opened a probe connection
      try {
        const op = await prepare(driver, { path: '/slow/40' });
        const outcomes = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((cycle) => execute(op, cycle)));
        assert.ok(outcomes.every((o) => o.errorClass === null));
        assert.ok(pipelined.connections() - before <= 1);
        assert.ok(
          pipelined.maxInProgressPerConnection() >= 2,
          `max ${pipelined.maxInProgressPerConnection()}`,
        );
      } finally {
        await driver.close();
        await pipelined.close();
      }
    });

    test('without pipelining a connection carries one request at a time', async () => {
      const plain = await startHttpServer();
      const driver = await open({ url: plain.url, transport, connections: 1 });
      const before = plain.connections();
      try {
        const op = await prepare(driver, { path: '/slow/10' });
        const outcomes = await Promise.all([0, 1, 2, 3].map((cycle) => execute(op, cycle)));
        assert.ok(outcomes.every((o) => o.errorClass === null));
        assert.ok(plain.connections() - before <= 1);
        assert.equal(plain.maxInProgressPerConnection(), 1);
      } finally {
        await driver.close();
        await plain.close();
      }
    });

    test('chunked bodies, HEAD and Connection: close responses complete', async () => {
      const driver = await open({ url: server.url, transport, connections: 1 });
      try {
        for (const fields of [{ path: '/chunked' }, { path: '/ok', method: 'HEAD' }, { path: '/close' }]) {
          const op = await prepare(driver, fields);
          for (let i = 0; i < 3; i++) assert.deepEqual(await execute(op, i), ok(), JSON.stringify(fields));
        }
      } finally {
        await driver.close();
      }
    });

    test('close() cancels requests in flight', async () => {
      const driver = await open({ url: server.url, transport });
      const op = await prepare(driver, { path: '/slow/5000' });
      const pending = execute(op, 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await driver.close();
      assert.equal((await pending).errorClass, 'cancelled');
    });

    test('connect() to a closed port throws BP_TARGET_UNREACHABLE naming the URL', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      await assert.rejects(open({ url, transport }), (err: unknown) => {
        assert.ok(err instanceof BenchpilotError);
        assert.equal(err.code, 'BP_TARGET_UNREACHABLE');
        assert.match(err.message, new RegExp(`cannot reach ${url}.*ECONNREFUSED.*is the server running`));
        return true;
      });
    });
  });
}

describe('http driver: prepare and options', () => {
  let server: TestHttpServer;
  let driver: Driver;
  before(async () => {
    server = await startHttpServer();
    driver = await open({ url: server.url });
  });
  after(async () => {
    await driver.close();
    await server.close();
  });

  test('an undeclared {binding} is BP_SPEC_UNKNOWN_BINDING naming the op field', async () => {
    await assert.rejects(prepare(driver, { path: '/x/{missing}' }), (err: unknown) => {
      assert.ok(err instanceof BenchpilotError);
      assert.equal(err.code, 'BP_SPEC_UNKNOWN_BINDING');
      assert.match(err.message, /op op: path: .*\{missing\}/);
      return true;
    });
  });

  test('headers the driver owns are refused with BP_DRIVER_PREPARE', async () => {
    await assert.rejects(
      prepare(driver, { path: '/', headers: { 'Content-Length': '3' } }),
      /BP_DRIVER_PREPARE|is set by the driver/,
    );
  });

  test('target schema: defaults, strictness, secrets and URL checks', () => {
    const parsed = httpDriver.targetSchema.parse({ driver: 'http', url: 'http://127.0.0.1:1' });
    assert.deepEqual(parsed, {
      driver: 'http',
      url: 'http://127.0.0.1:1',
      pipelining: 1,
      timeout: 10,
      connectTimeout: 5,
      headers: {},
      transport: 'undici',
    });
    assert.deepEqual(httpDriver.secretFields, ['token', 'authorization']);
    const bad = (target: Record<string, unknown>) =>
      httpDriver.targetSchema.safeParse({ driver: 'http', url: 'http://127.0.0.1:1', ...target }).success;
    assert.equal(bad({ conections: 4 }), false);
    assert.equal(bad({ url: 'ftp://x' }), false);
    assert.equal(bad({ url: 'http://user:pw@127.0.0.1:1' }), false);
    assert.equal(bad({ token: 'a', authorization: 'b' }), false);
    assert.equal(bad({ transport: 'raw', pipelining: 8, timeout: '2s' }), true);
  });

  test('op schema: defaults and strictness', () => {
    assert.deepEqual(httpDriver.opSchema.parse({}), { method: 'GET', path: '/', headers: {}, expect: '2xx' });
    assert.equal(httpDriver.opSchema.safeParse({ path: 'no-slash' }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ pth: '/' }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ expect: 700 }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ path: '/a b' }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ headers: { 'x-a': 'v\r\nx-b: injected' } }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ headers: { 'bad name': 'v' } }).success, false);
    assert.equal(httpDriver.opSchema.safeParse({ expect: ['2xx', 404] }).success, true);
  });
});

function ok(): Outcome {
  return { errorClass: null, message: undefined };
}
