/**
 * Engine state keys records by ids that arrive from requests; a plain `record[id]` answers
 * `constructor` or `__proto__` from Object.prototype. Every lookup by a caller's id goes here.
 */
export function own<T>(record: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}

/** `__proto__` cannot be a key of a plain object without replacing its prototype: never an id. */
export const isReservedId = (id: string): boolean => id === '__proto__';
