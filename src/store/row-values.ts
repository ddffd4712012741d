import { StoreError } from './store-error.ts';

/*
 * Column values come back differently per dialect: SQLite gives JSON as text and times as ISO text; pg parses
 * json/jsonb itself, returns timestamptz as Date and int8 as string. These decoders accept both.
 */

export function decodeJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function decodeInstant(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

export function decodeCount(value: unknown): number {
  return Number(value);
}

/**
 * Instants are stored in `toISOString()` form so both dialects return the same text and SQLite's text order is
 * time order; an unparseable value is refused rather than stored.
 */
export function normalizeInstant(value: unknown, field: string): string {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new StoreError('invalid_input', `${field} must be an ISO-8601 instant, got ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}
