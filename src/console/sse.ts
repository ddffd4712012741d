import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LiveHubDeps {
  /** The current message for a subscription (JSON-serialisable). */
  load(subscriptionId: string): Promise<unknown>;
  /** How often subscribed subscriptions are re-read: catches work done by other processes (`rehome migrate`, workers). */
  pollMs?: number;
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Server-sent events for the live Migration Status view (`/console/s/:id/events`). One poller per subscription
 * runs only while somebody watches; `notify` re-reads at once (debounced) after an action or a migrated user in
 * this process. A message goes out only when it changed, so an idle page costs one small query a second.
 */
export function createLiveHub(deps: LiveHubDeps) {
  const watchers = new Map<string, { clients: Set<ServerResponse>; last: string; timer: NodeJS.Timeout; pending: NodeJS.Timeout | null; busy: boolean }>();
  const pollMs = deps.pollMs ?? 1000;

  async function refresh(id: string): Promise<void> {
    const w = watchers.get(id);
    if (!w || w.busy) return;
    w.busy = true;
    try {
      const text = JSON.stringify(await deps.load(id));
      if (text !== w.last) {
        w.last = text;
        for (const res of w.clients) res.write(`event: status\ndata: ${text}\n\n`);
      }
    } catch (error) {
      deps.onError?.(error);
    } finally {
      w.busy = false;
    }
  }

  const heartbeat = setInterval(() => {
    for (const w of watchers.values()) for (const res of w.clients) res.write(': keep-alive\n\n');
  }, deps.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    subscribe(req: IncomingMessage, res: ServerResponse, subscriptionId: string): void {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      res.write('retry: 3000\n\n');
      let w = watchers.get(subscriptionId);
      if (!w) {
        const timer = setInterval(() => void refresh(subscriptionId), pollMs);
        timer.unref();
        w = { clients: new Set(), last: '', timer, pending: null, busy: false };
        watchers.set(subscriptionId, w);
      }
      w.clients.add(res);
      if (w.last) res.write(`event: status\ndata: ${w.last}\n\n`);
      else void refresh(subscriptionId);
      req.on('close', () => {
        const cur = watchers.get(subscriptionId);
        if (!cur) return;
        cur.clients.delete(res);
        if (cur.clients.size === 0) {
          clearInterval(cur.timer);
          if (cur.pending) clearTimeout(cur.pending);
          watchers.delete(subscriptionId);
        }
      });
    },

    notify(subscriptionId: string): void {
      const w = watchers.get(subscriptionId);
      if (!w || w.pending) return;
      w.pending = setTimeout(() => { w.pending = null; void refresh(subscriptionId); }, 150);
    },

    close(): void {
      clearInterval(heartbeat);
      for (const w of watchers.values()) {
        clearInterval(w.timer);
        if (w.pending) clearTimeout(w.pending);
        for (const res of w.clients) res.end();
      }
      watchers.clear();
    },
  };
}

export type LiveHub = ReturnType<typeof createLiveHub>;
