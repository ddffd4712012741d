import { ProductSourceError, type ProductSourceErrorCode } from '../../../ports/product-source.ts';

export interface ProductApiClientOptions {
  /** The product's Rehome API root, e.g. `https://engage.example/api/rehome/v1`. */
  baseUrl: string;
  /** Bearer token the product issued to Rehome. */
  token: string;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface ProductApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Follows `{ items, next }` pages until `next` is null. */
  readAll<T>(path: string, pageSize: number): Promise<T[]>;
}

const CODES_BY_STATUS: Record<number, ProductSourceErrorCode> = { 400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 415: 'invalid_request', 422: 'invalid_request' };
const KNOWN_CODES: ReadonlySet<string> = new Set<ProductSourceErrorCode>(['not_found', 'conflict', 'not_linked', 'invalid_request', 'unauthorized', 'forbidden']);

/** JSON over HTTP with the product's bearer token; every failure becomes a ProductSourceError with a clear message. */
export function createProductApiClient(options: ProductApiClientOptions): ProductApiClient {
  const fetchImpl = options.fetch ?? fetch;
  const root = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = `${root}${path}`;
    const where = `${method} ${url}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError';
      throw new ProductSourceError(timedOut ? 'timeout' : 'unavailable', `${where}: ${timedOut ? `no answer within ${timeoutMs} ms` : `cannot reach the product (${(cause as Error).message})`}`, { cause });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) {
      if (json === undefined) throw new ProductSourceError('protocol', `${where}: HTTP ${response.status} without a JSON body`, { status: response.status });
      return json as T;
    }
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const wireCode = typeof error?.code === 'string' ? error.code : undefined;
    const code: ProductSourceErrorCode = wireCode && KNOWN_CODES.has(wireCode) ? wireCode as ProductSourceErrorCode
      : response.status >= 500 ? 'unavailable' : CODES_BY_STATUS[response.status] ?? 'protocol';
    const detail = typeof error?.message === 'string' ? error.message : text.slice(0, 200) || response.statusText;
    throw new ProductSourceError(code, `${where}: HTTP ${response.status}${wireCode ? ` ${wireCode}` : ''}: ${detail}`, { status: response.status });
  };

  return {
    request,
    async readAll<T>(path: string, pageSize: number): Promise<T[]> {
      const out: T[] = [];
      let after: string | null = '';
      for (let page = 0; after !== null; page++) {
        const separator = path.includes('?') ? '&' : '?';
        const answer: { items?: unknown; next?: unknown } = await request('GET', `${path}${separator}limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
        if (!Array.isArray(answer.items) || (answer.next !== null && typeof answer.next !== 'string')) {
          throw new ProductSourceError('protocol', `GET ${root}${path}: page ${page + 1} is not { items: [...], next: string | null }`);
        }
        if (answer.next !== null && answer.next === after) throw new ProductSourceError('protocol', `GET ${root}${path}: the cursor did not advance (${after})`);
        out.push(...(answer.items as T[]));
        after = answer.next;
      }
      return out;
    },
  };
}
