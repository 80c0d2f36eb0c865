/** WebSocket /api/v1/events: authenticated (?access_token=), topic subscriptions, back-pressure safe. */
import { clientMessageSchema } from '../../protocol/api.js';
import type { App, AppDeps } from '../app.js';

const TOPIC = /^(runs|setups|targets|run:run-[a-z0-9-]{1,60})$/;

export function registerEventsRoute(app: App, deps: AppDeps): void {
  app.get('/api/v1/events', { websocket: true, schema: { hide: true } }, (socket, request) => {
    const client = deps.hub.add(socket, request.principal!.role);
    socket.on('message', (data: Buffer) => {
      let parsed: ReturnType<typeof clientMessageSchema.safeParse>;
      try {
        parsed = clientMessageSchema.safeParse(JSON.parse(data.toString('utf8')));
      } catch {
        socket.send(JSON.stringify({ type: 'error', message: 'messages must be JSON' }));
        return;
      }
      if (!parsed.success) {
        socket.send(
          JSON.stringify({
            type: 'error',
            message: `not a valid message: ${parsed.error.issues[0]?.message}`,
          }),
        );
        return;
      }
      const bad = parsed.data.topics.filter((t) => !TOPIC.test(t));
      if (bad.length > 0) {
        socket.send(
          JSON.stringify({
            type: 'error',
            message: `unknown topics: ${bad.join(', ')} (runs, setups, targets, run:<id>)`,
          }),
        );
        return;
      }
      for (const topic of parsed.data.topics) {
        if (parsed.data.type === 'subscribe') client.topics.add(topic);
        else client.topics.delete(topic);
      }
    });
    socket.on('close', () => deps.hub.remove(client));
  });
}
