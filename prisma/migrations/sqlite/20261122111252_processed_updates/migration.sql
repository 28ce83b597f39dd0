-- CreateTable
CREATE TABLE "ProcessedUpdate" (
    "channel" TEXT NOT NULL,
    "updateId" BIGINT NOT NULL,
    "processedAt" DATETIME NOT NULL,

    PRIMARY KEY ("channel", "updateId")
);

-- CreateIndex
CREATE INDEX "ProcessedUpdate_processedAt_idx" ON "ProcessedUpdate"("processedAt");
