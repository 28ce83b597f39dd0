// PostgreSQL support: the driver (pg), Prisma's adapter for it and the PostgreSQL generated client.
// Loaded only when a PostgreSQL database is used (`loadPostgresSupport` in connection.ts), so that a
// process on SQLite — the bot most of all, which runs for weeks — never holds them (~6 MB resident;
// measured by `npm run bench:runtime`).
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "./generated/postgres/client.js";

export { pg, PrismaPg, PostgresClient };
