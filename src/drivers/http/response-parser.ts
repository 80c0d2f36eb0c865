/**
 * A minimal HTTP/1.1 response parser for the raw transport: it reads the status, the framing
 * headers (Content-Length, Transfer-Encoding: chunked, Connection: close) and skips bodies
 * without copying them. Enough to count responses at wrk speed; not a general client.
 */

export interface ResponseListener {
  /** True when the response being parsed has no body whatever its headers say (HEAD). */
  responseHasNoBody(): boolean;
  /** One complete response; `close` when the server asked to close the connection. */
  onResponse(status: number, close: boolean): void;
  /** The bytes are not HTTP: the connection must be dropped. */
  onParseError(reason: string): void;
}

enum State {
  Head = 0,
  Body = 1,
  ChunkSize = 2,
  ChunkData = 3,
  Trailers = 4,
  UntilClose = 5,
  Failed = 6,
}

const CR = 13;
const MAX_HEAD_BYTES = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const CHUNKED = Buffer.from('chunked');
const CLOSE = Buffer.from('close');
const KEEP_ALIVE = Buffer.from('keep-alive');

export class ResponseParser {
  readonly #listener: ResponseListener;
  #state = State.Head;
  #generation = 0;
  #carry: Buffer | null = null;
  #remaining = 0;
  #status = 0;
  #close = false;

  constructor(listener: ResponseListener) {
    this.#listener = listener;
  }

  /**
   * Parse chunk[0, length) from the socket; calls the listener once per complete response.
   * The chunk may be a reused read buffer: nothing of it is kept after the call returns.
   */
  feed(chunk: Buffer, length = chunk.length): void {
    let buf = chunk;
    let len = length;
    if (this.#carry !== null) {
      buf = Buffer.concat([this.#carry, chunk.subarray(0, length)]);
      len = buf.length;
      this.#carry = null;
    }
    let pos = 0;
    const generation = this.#generation;
    // a listener callback may reset() the parser (connection dropped): the rest is stale then
    while (pos < len && this.#generation === generation) {
      switch (this.#state) {
        case State.Head: {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end === -1 || end + 4 > len) {
            this.#keep(buf, pos, len);
            return;
          }
          if (!this.#parseHead(buf, pos, end)) return;
          pos = end + 4;
          break;
        }
        case State.Body:
        case State.ChunkData: {
          const take = Math.min(this.#remaining, len - pos);
          pos += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            if (this.#state === State.Body) this.#complete();
            else this.#state = State.ChunkSize;
          }
          break;
        }
        case State.ChunkSize: {
          const eol = buf.indexOf(CR, pos);
          if (eol === -1 || eol + 1 >= len) {
            this.#keep(buf, pos, len);
            return;
          }
          const size = parseHex(buf, pos, eol);
          if (size < 0) {
            this.#fail('bad chunk size');
            return;
          }
          pos = eol + 2;
          if (size === 0) this.#state = State.Trailers;
          else {
            this.#remaining = size + 2; // the data and its trailing CRLF
            this.#state = State.ChunkData;
          }
          break;
        }
        case State.Trailers: {
          const eol = buf.indexOf(CR, pos);
          if (eol === -1 || eol + 1 >= len) {
            this.#keep(buf, pos, len);
            return;
          }
          const empty = eol === pos;
          pos = eol + 2;
          if (empty) this.#complete();
          break;
        }
        case State.UntilClose:
          return;
        case State.Failed:
          return;
      }
    }
  }

  /** The socket ended: a body delimited by the close is complete now. */
  end(): void {
    if (this.#state === State.UntilClose) this.#complete();
  }

  /** Forget any partial response (the connection was replaced). */
  reset(): void {
    this.#generation++;
    this.#state = State.Head;
    this.#carry = null;
    this.#remaining = 0;
  }

  /** Keep the unparsed rest for the next chunk (a copy: the read buffer is reused). */
  #keep(buf: Buffer, pos: number, len: number): void {
    if (len - pos > MAX_HEAD_BYTES) {
      this.#fail('response head too large');
      return;
    }
    this.#carry = Buffer.from(buf.subarray(pos, len));
  }

  #fail(reason: string): void {
    this.#state = State.Failed;
    this.#carry = null;
    this.#listener.onParseError(reason);
  }

  #complete(): void {
    this.#state = State.Head;
    this.#listener.onResponse(this.#status, this.#close);
  }

  /** Parse the head in buf[start, end) (end is the index of the blank line's CRLFCRLF). */
  #parseHead(buf: Buffer, start: number, end: number): boolean {
    // "HTTP/1.1 200 OK": the status is always at offset 9..11
    if (end - start < 12 || buf[start] !== 72 || buf[start + 4] !== 47) {
      this.#fail('not an HTTP response');
      return false;
    }
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    const status = d0 * 100 + d1 * 10 + d2;
    if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || !(status >= 100 && status <= 599)) {
      this.#fail('bad status line');
      return false;
    }
    let contentLength = -1;
    let chunked = false;
    // HTTP/1.0 closes by default; HTTP/1.1 keeps alive
    let close = buf[start + 7] === 48;
    let line = buf.indexOf(CR, start) + 2;
    while (line < end + 2) {
      const eol = buf.indexOf(CR, line);
      const colon = buf.indexOf(58, line);
      if (colon > 0 && colon < eol) {
        const nameLength = colon - line;
        if (nameLength === 14 && nameIs(buf, line, CONTENT_LENGTH)) {
          contentLength = parseDecimal(buf, colon + 1, eol);
          if (contentLength < 0) {
            this.#fail('bad content-length');
            return false;
          }
        } else if (nameLength === 17 && nameIs(buf, line, TRANSFER_ENCODING)) {
          chunked = valueHas(buf, colon + 1, eol, CHUNKED);
        } else if (nameLength === 10 && nameIs(buf, line, CONNECTION)) {
          const close_ = valueHas(buf, colon + 1, eol, CLOSE);
          close = close_ || (close && !valueHas(buf, colon + 1, eol, KEEP_ALIVE));
        }
      }
      line = eol + 2;
    }
    this.#status = status;
    this.#close = close;
    if (status < 200 && status !== 101) return true; // 100 Continue, 103 Early Hints: the real one follows
    if (
      status === 204 ||
      status === 304 ||
      (status >= 100 && status < 200) ||
      this.#listener.responseHasNoBody()
    ) {
      this.#complete();
    } else if (chunked) {
      this.#state = State.ChunkSize;
    } else if (contentLength >= 0) {
      if (contentLength === 0) this.#complete();
      else {
        this.#remaining = contentLength;
        this.#state = State.Body;
      }
    } else {
      this.#close = true;
      this.#state = State.UntilClose;
    }
    return true;
  }
}

/** Case-insensitive compare of a header name at buf[start] with a lower-case name. */
function nameIs(buf: Buffer, start: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((buf[start + i]! | 0x20) !== lower[i]) return false;
  }
  return true;
}

function parseDecimal(buf: Buffer, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (c !== 32 && c !== 9) return -1;
  }
  return digits > 0 ? value : -1;
}

function parseHex(buf: Buffer, start: number, end: number): number {
  let value = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! | 0x20;
    if (c >= 48 && c <= 57) value = value * 16 + (c - 48);
    else if (c >= 97 && c <= 102) value = value * 16 + (c - 87);
    else if (c === 59 || c === 32 || c === 41)
      break; // ';' starts extensions; space or tab (9|0x20) ends
    else return -1;
    digits++;
  }
  return digits > 0 ? value : -1;
}

/** Case-insensitive search of a lower-case token in buf[start, end), without making a string. */
function valueHas(buf: Buffer, start: number, end: number, token: Buffer): boolean {
  const last = end - token.length;
  outer: for (let i = start; i <= last; i++) {
    for (let j = 0; j < token.length; j++) {
      if ((buf[i + j]! | 0x20) !== token[j]) continue outer;
    }
    return true;
  }
  return false;
}
