/**
 * A small HTTP proxy on 127.0.0.1 that misbehaves on purpose, for the IdP contract under faults. Per request, by
 * configurable rates, it answers 429 with Retry-After (alternating delay-seconds and HTTP-date), answers 503, holds
 * the upstream's answer past the client's timeout, or cuts the connection halfway through the answer. The last two
 * forward the request first: the upstream DID the work and only the answer is lost, the case that creates duplicate
 * accounts in naive clients. It also counts requests in flight, to check a client's concurrency bound.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/population/seeded-random.ts';

export { seededRandom };

export interface FaultRates {
  /** 429 Too Many Requests with Retry-After; not forwarded. */
  throttle: number;
  /** 503 Service Unavailable; not forwarded. */
  unavailable: number;
  /** Forwarded; the answer is held for `delayMs` (set it past the client's timeout). */
  delay: number;
  /** Forwarded; the connection is destroyed after half of the answer's body. */
  drop: number;
}

export interface FaultProxyOptions {
  /** Upstream base, e.g. `http://127.0.0.1:4000`. */
  target: string;
  rates?: Partial<FaultRates>;
  /** Retry-After sent with 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Only requests that pass get faults (default: all); all are counted. */
  faultable?: (path: string, method: string) => boolean;
  /** Seeded randomness for reproducible runs (default: a fixed-seed generator). */
  random?: () => number;
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  injected: Record<keyof FaultRates, number>;
  inFlight: number;
  maxInFlight: number;
}

export interface FaultProxy {
  url: string;
  readonly stats: FaultStats;
  setRates(rates: Partial<FaultRates>): void;
  /** Starts a new measurement of the in-flight peak (other counts are cumulative). */
  resetPeak(): void;
  close(): Promise<void>;
}


const noFaults: FaultRates = { throttle: 0, unavailable: 0, delay: 0, drop: 0 };

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = options.random ?? seededRandom(20_240_601);
  const delayMs = options.delayMs ?? 2000;
  const retryAfter = options.retryAfterSeconds ?? 1;
  let rates: FaultRates = { ...noFaults, ...options.rates };
  const fresh = (): FaultStats => ({ requests: 0, forwarded: 0, injected: { ...noFaults }, inFlight: 0, maxInFlight: 0 });
  const stats = fresh();
  let throttles = 0;

  const pickFault = (path: string, method: string): keyof FaultRates | undefined => {
    if (options.faultable && !options.faultable(path, method)) return undefined;
    let roll = random();
    for (const fault of ['throttle', 'unavailable', 'delay', 'drop'] as const) {
      if (roll < rates[fault]) return fault;
      roll -= rates[fault];
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, body: Buffer) => new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = String(v);
        resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const fault = pickFault((req.url ?? '/').split('?')[0]!, req.method ?? 'GET');
    if (fault) stats.injected[fault]++;
    if (fault === 'throttle') {
      const value = throttles++ % 2 === 0 ? String(retryAfter) : new Date(Date.now() + retryAfter * 1000).toUTCString();
      res.writeHead(429, { 'retry-after': value, 'content-type': 'application/scim+json' })
        .end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'fault proxy: slow down' }));
      return;
    }
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/scim+json' })
        .end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'fault proxy: unavailable' }));
      return;
    }
    const answer = await forward(req, Buffer.concat(chunks));
    stats.forwarded++;
    if (fault === 'delay') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    if (fault === 'drop') {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      // Let the partial answer reach the client before the connection dies.
      setImmediate(() => res.destroy());
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stats.inFlight--;
    };
    res.on('close', finish);
    res.on('finish', finish);
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get stats() {
      return stats;
    },
    setRates(next) {
      rates = { ...noFaults, ...next };
    },
    resetPeak() {
      stats.maxInFlight = stats.inFlight;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
