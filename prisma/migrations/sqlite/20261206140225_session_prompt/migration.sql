-- CreateTable
CREATE TABLE "SessionPrompt" (
    "sessionId" TEXT NOT NULL PRIMARY KEY,
    "prompt" TEXT,
    CONSTRAINT "SessionPrompt_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
