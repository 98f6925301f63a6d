/** Shared WHERE-clause building for scoped queries. */
import type { QueryScope } from '../store';
import type { SqlParams } from './connection';

/** `col > from AND col <= to [AND service = ?]`, with its parameters appended to `params`. */
export function scopeWhere(scope: QueryScope, timeColumn: string, params: SqlParams, alias = ''): string {
  const p = alias === '' ? '' : `${alias}.`;
  params.push(BigInt(Math.trunc(scope.fromUs)));
  let sql = `${p}${timeColumn} > ?`;
  if (scope.openEnded !== true) {
    params.push(BigInt(Math.trunc(scope.toUs)));
    sql += ` AND ${p}${timeColumn} <= ?`;
  }
  if (scope.service !== undefined) {
    params.push(scope.service);
    sql += ` AND ${p}service = ?`;
  }
  return sql;
}

/** `prefix` as a LIKE pattern (with `ESCAPE '\\'`) that matches only itself at the start. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Seconds covered by a scope, for rates. */
export function scopeSeconds(scope: QueryScope): number {
  return Math.max(1e-6, (scope.toUs - scope.fromUs) / 1e6);
}

/** A number from a row value, or null. */
export function numOrNull(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
