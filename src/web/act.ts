// The console's actions (admin only); filled in step by step.
import type { FastifyInstance } from "fastify";
import type { WebContext } from "./server.js";

/** Registers the pages that change things. */
export function registerActRoutes(app: FastifyInstance, context: WebContext): void {
  void app;
  void context;
}
