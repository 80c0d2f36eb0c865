/**
 * Where runner pods dial in (`/api/v1/runner`). The server hands each new WebSocket here; the
 * first frame must be a `hello` whose run is known and whose token matches that run's, else the
 * socket is closed with a code that tells the runner not to retry.
 */
import type WebSocket from 'ws';
import { LINK_CLOSE } from '../../protocol/runner-link.js';
import { parseHello, type RunLink } from './run-link.js';

const HELLO_TIMEOUT_MS = 10_000;

export class RunnerGateway {
  readonly #links = new Map<string, RunLink>();
  #log: (message: string, fields: Record<string, unknown>) => void = () => undefined;

  onWarning(log: (message: string, fields: Record<string, unknown>) => void): void {
    this.#log = log;
  }

  register(link: RunLink): void {
    this.#links.set(link.runId, link);
  }

  unregister(runId: string): void {
    this.#links.delete(runId);
  }

  link(runId: string): RunLink | undefined {
    return this.#links.get(runId);
  }

  accept(socket: WebSocket, remote: string): void {
    const timer = setTimeout(() => socket.close(LINK_CLOSE.badHello, 'no hello'), HELLO_TIMEOUT_MS);
    socket.once('message', (data) => {
      clearTimeout(timer);
      const hello = parseHello(String(data));
      if (!hello) {
        this.#log('runner link: the first frame was not a valid hello', { remote });
        socket.close(LINK_CLOSE.badHello, 'the first frame must be a v1 hello');
        return;
      }
      const link = this.#links.get(hello.runId);
      // The same answer for an unknown run and a wrong token: no probing for run ids.
      if (!link?.verify(hello.token)) {
        this.#log('runner link refused: unknown run or wrong token', { remote, runId: hello.runId });
        socket.close(LINK_CLOSE.unauthorized, 'unknown run or wrong token');
        return;
      }
      link.attach(hello, socket);
    });
  }
}
