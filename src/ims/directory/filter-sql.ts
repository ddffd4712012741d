import { sql, type RawBuilder } from 'kysely';
import { ImsError, type Filter } from './ims-directory.ts';

/** How one filter attribute maps to SQL: a column reference and whether it holds a 0/1 boolean. */
export interface FilterColumn {
  ref: string;
  boolean?: boolean;
  /** A relation rather than a column: `eq <value>` compiles to this condition (other operators are refused). */
  exists?: (value: string) => RawBuilder<boolean>;
}

/**
 * Compiles a directory filter into a parameterised SQL condition (values are always bound, never spliced).
 * String comparisons are case-insensitive, as SCIM requires for userName and emails (RFC 7643 section 2.1).
 */
export function compileFilter<A extends string>(filter: Filter<A>, columns: Record<A, FilterColumn>): RawBuilder<boolean> {
  switch (filter.op) {
    case 'and':
    case 'or': {
      if (filter.filters.length === 0) throw new ImsError('invalid_input', `${filter.op} needs at least one operand`);
      const parts = filter.filters.map((f) => compileFilter(f, columns));
      return sql<boolean>`(${sql.join(parts, filter.op === 'and' ? sql` and ` : sql` or `)})`;
    }
    case 'not':
      return sql<boolean>`(not ${compileFilter(filter.filter, columns)})`;
    case 'pr': {
      const column = columnOf(columns, filter.attr);
      return sql<boolean>`(${sql.ref(column.ref)} is not null and ${sql.ref(column.ref)} <> '')`;
    }
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return compileOrdering(filter.op, columnOf(columns, filter.attr), filter.value);
    default: {
      const column = columnOf(columns, filter.attr);
      if (column.exists) {
        if (filter.op !== 'eq' || typeof filter.value !== 'string') throw new ImsError('invalid_input', `${filter.attr} supports eq only`);
        return column.exists(filter.value);
      }
      return compileComparison(filter.op, column, filter.value);
    }
  }
}

/** The column to order a list by (`ListQuery.sort`); relations and booleans sort like their stored value. */
export function sortExpression<A extends string>(attr: A, columns: Record<A, FilterColumn>): RawBuilder<unknown> {
  const column = columnOf(columns, attr);
  if (column.exists) throw new ImsError('invalid_input', `cannot sort on ${attr}`);
  return column.boolean ? sql`${sql.ref(column.ref)}` : sql`lower(${sql.ref(column.ref)})`;
}

/** Ordering on the stored text (ISO-8601 instants, all in UTC with the same precision, sort in time order). */
function compileOrdering(op: 'gt' | 'ge' | 'lt' | 'le', column: FilterColumn, value: string): RawBuilder<boolean> {
  if (column.boolean || column.exists) throw new ImsError('invalid_input', `${op} does not apply here`);
  const ref = sql.ref(column.ref);
  const symbol = { gt: '>', ge: '>=', lt: '<', le: '<=' }[op];
  return sql<boolean>`(${ref} ${sql.raw(symbol)} ${value})`;
}

function columnOf<A extends string>(columns: Record<A, FilterColumn>, attr: A): FilterColumn {
  const column = Object.hasOwn(columns, attr) ? columns[attr] : undefined;
  if (!column) throw new ImsError('invalid_input', `cannot filter on ${attr}`);
  return column;
}

function compileComparison(op: 'eq' | 'ne' | 'co' | 'sw' | 'ew', column: FilterColumn, value: string | boolean): RawBuilder<boolean> {
  const ref = sql.ref(column.ref);
  if (column.boolean) {
    if (op !== 'eq' && op !== 'ne') throw new ImsError('invalid_input', `${op} does not apply to a boolean`);
    const bit = value === true || value === 'true' ? 1 : 0;
    return op === 'eq' ? sql<boolean>`(${ref} = ${bit})` : sql<boolean>`(${ref} <> ${bit})`;
  }
  const text = String(value).toLowerCase();
  switch (op) {
    case 'eq':
      return sql<boolean>`(lower(${ref}) = ${text})`;
    case 'ne':
      return sql<boolean>`(${ref} is null or lower(${ref}) <> ${text})`;
    case 'co':
      return sql<boolean>`(lower(${ref}) like ${`%${escapeLike(text)}%`} escape '\\')`;
    case 'sw':
      return sql<boolean>`(lower(${ref}) like ${`${escapeLike(text)}%`} escape '\\')`;
    case 'ew':
      return sql<boolean>`(lower(${ref}) like ${`%${escapeLike(text)}`} escape '\\')`;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
