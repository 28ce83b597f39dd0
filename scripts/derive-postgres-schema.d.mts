/** The PostgreSQL schema text for the SQLite schema text. */
export function derivePostgresSchema(sqliteSchema: string): string;
