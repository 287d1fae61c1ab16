// Owns what every part of the SQLite store shares: the connection, the file name (for error messages), the
// clock, and a cache of prepared statements (preparing costs more than running a small statement, and a
// decision is a handful of them).
import type Database from 'better-sqlite3';

export interface StoreContext {
  db: Database.Database;
  file: string;
  now(): Date;
  sql(text: string): Database.Statement;
  /** Runs fn in one BEGIN IMMEDIATE transaction (nested calls become savepoints). */
  write<T>(fn: () => T): T;
}

export function createStoreContext(db: Database.Database, file: string, now: () => Date): StoreContext {
  const cache = new Map<string, Database.Statement>();
  return {
    db,
    file,
    now,
    sql(text) {
      let statement = cache.get(text);
      if (!statement) {
        statement = db.prepare(text);
        cache.set(text, statement);
      }
      return statement;
    },
    write(fn) {
      return db.inTransaction ? db.transaction(fn)() : db.transaction(fn).immediate();
    },
  };
}

/** Error about the store's content, naming the thing and what the user can do. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly code: 'not-found' | 'invalid' | 'conflict' = 'invalid',
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

export const parseJson = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);
