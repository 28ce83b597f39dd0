-- CreateTable
CREATE TABLE "SessionPrompt" (
    "sessionId" TEXT NOT NULL,
    "prompt" TEXT,

    CONSTRAINT "SessionPrompt_pkey" PRIMARY KEY ("sessionId")
);

-- AddForeignKey
ALTER TABLE "SessionPrompt" ADD CONSTRAINT "SessionPrompt_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
