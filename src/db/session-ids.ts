// Response ids of sessions and the error for changing a submitted one: free of Prisma, so the storage
// layer's public API can export them without loading a database client.

/** A write to a submitted response: the engine never asks for one, so it is a bug and rolls back. */
export class SubmittedResponseError extends Error {
  constructor(readonly responseId: string) {
    super(`response ${responseId} is submitted and cannot change`);
    this.name = "SubmittedResponseError";
  }
}

/** The Response row of one session and subject unit: deterministic, so every step finds it by key. */
export function responseIdOf(sessionId: string, unit: string): string {
  return `${sessionId}:${unit}`;
}
