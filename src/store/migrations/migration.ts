/**
 * One forward-only schema step, written once per dialect. Never edit an applied migration: append a new one.
 * Each runs in its own transaction (both dialects have transactional DDL) and is recorded in `rehome_migrations`.
 */
export interface Migration {
  /** `NNNN_snake_name`; the order of the `migrations` array is the order they run in. */
  name: string;
  sqlite: string;
  postgres: string;
}
