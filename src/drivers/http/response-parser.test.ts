import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ResponseListener, ResponseParser } from './response-parser.js';

class Recorder implements ResponseListener {
  responses: [number, boolean][] = [];
  errors: string[] = [];
  head = false;
  responseHasNoBody(): boolean {
    return this.head;
  }
  onResponse(status: number, close: boolean): void {
    this.responses.push([status, close]);
  }
  onParseError(reason: string): void {
    this.errors.push(reason);
  }
}

/** Feed `text` split at every possible point (and whole); every split must give the same result. */
function parseAllSplits(text: string, head = false): Recorder[] {
  const bytes = Buffer.from(text, 'latin1');
  const results: Recorder[] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const recorder = new Recorder();
    recorder.head = head;
    const parser = new ResponseParser(recorder);
    if (cut > 0) parser.feed(bytes.subarray(0, cut));
    if (cut < bytes.length) parser.feed(bytes.subarray(cut));
    results.push(recorder);
  }
  const byteByByte = new Recorder();
  byteByByte.head = head;
  const parser = new ResponseParser(byteByByte);
  for (let i = 0; i < bytes.length; i++) parser.feed(bytes.subarray(i, i + 1));
  results.push(byteByByte);
  return results;
}

const NGINX_OK =
  'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';

test('content-length responses, pipelined in one buffer and split anywhere', () => {
  const text = NGINX_OK + 'HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\n\r\nnope!' + NGINX_OK;
  for (const r of parseAllSplits(text)) {
    assert.deepEqual(r.responses, [
      [200, false],
      [404, false],
      [200, false],
    ]);
    assert.deepEqual(r.errors, []);
  }
});

test('chunked bodies with extensions and trailers', () => {
  const text =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '5\r\nhello\r\nA;ext=1\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n' +
    'HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: gzip, Chunked\r\n\r\n0\r\n\r\n';
  for (const r of parseAllSplits(text)) {
    assert.deepEqual(r.responses, [
      [200, false],
      [503, false],
    ]);
    assert.deepEqual(r.errors, []);
  }
});

test('no body for HEAD, 204 and 304 whatever Content-Length says; 1xx is skipped', () => {
  const headText = 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n' + NGINX_OK;
  for (const r of parseAllSplits(headText, true)) assert.equal(r.responses.length, 2);
  const text =
    'HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n' +
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n' +
    NGINX_OK;
  for (const r of parseAllSplits(text)) {
    assert.deepEqual(r.responses, [
      [204, false],
      [304, false],
      [200, false],
    ]);
  }
});

test('Connection: close, HTTP/1.0 and bodies delimited by the end of the connection', () => {
  for (const r of parseAllSplits('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n')) {
    assert.deepEqual(r.responses, [[200, true]]);
  }
  for (const r of parseAllSplits('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')) {
    assert.deepEqual(r.responses, [[200, true]]);
  }
  for (const r of parseAllSplits(
    'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok',
  )) {
    assert.deepEqual(r.responses, [[200, false]]);
  }
  const recorder = new Recorder();
  const parser = new ResponseParser(recorder);
  parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
  assert.deepEqual(recorder.responses, []);
  parser.end();
  assert.deepEqual(recorder.responses, [[200, true]]);
});

test('bytes that are not HTTP are a parse error, reported once', () => {
  for (const text of [
    'SSH-2.0-OpenSSH\r\n\r\n',
    'HTTP/1.1 2x0 OK\r\n\r\n',
    'HTTP/1.1 1:0 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
  ]) {
    for (const r of parseAllSplits(text)) {
      assert.deepEqual(r.errors.length, 1, text);
      assert.deepEqual(r.responses, []);
    }
  }
});

test('a head larger than 64 KiB is refused', () => {
  const recorder = new Recorder();
  const parser = new ResponseParser(recorder);
  parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n'));
  for (let i = 0; i < 70; i++) parser.feed(Buffer.from(`x-filler: ${'a'.repeat(1000)}\r\n`));
  assert.deepEqual(recorder.errors, ['response head too large']);
});

test('reset() forgets a partial response', () => {
  const recorder = new Recorder();
  const parser = new ResponseParser(recorder);
  parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'));
  parser.reset();
  parser.feed(Buffer.from(NGINX_OK));
  assert.deepEqual(recorder.responses, [[200, false]]);
});

test('a reused read buffer: bytes past `length` are never read, and kept rests are copies', () => {
  const recorder = new Recorder();
  const parser = new ResponseParser(recorder);
  const shared = Buffer.alloc(256, 0x20);
  const first = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n';
  shared.write(`${first}\r\n\r\nstale`, 'latin1');
  parser.feed(shared, first.length);
  assert.deepEqual(recorder.responses, []);
  shared.fill(0x21);
  shared.write('\r\nok', 'latin1');
  parser.feed(shared, 4);
  assert.deepEqual(recorder.responses, [[200, false]]);
  assert.deepEqual(recorder.errors, []);
});

test('bytes after a reset() made by a listener callback are dropped', () => {
  const recorder = new Recorder();
  const parser = new ResponseParser(recorder);
  recorder.onResponse = (status, close) => {
    recorder.responses.push([status, close]);
    parser.reset(); // the connection was dropped in the callback
  };
  parser.feed(Buffer.from(NGINX_OK + NGINX_OK));
  assert.deepEqual(recorder.responses, [[200, false]]);
  parser.feed(Buffer.from(NGINX_OK));
  assert.equal(recorder.responses.length, 2);
});
