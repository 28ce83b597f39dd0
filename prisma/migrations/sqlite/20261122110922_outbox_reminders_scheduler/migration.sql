-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "campaignId" TEXT,
    "batchId" TEXT,
    "respondentId" TEXT,
    "chatId" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "parseMode" TEXT,
    "replyMarkup" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" DATETIME NOT NULL,
    "claimToken" TEXT,
    "claimedAt" DATETIME,
    "sendingAt" DATETIME,
    "doneAt" DATETIME,
    "telegramMessageId" INTEGER,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "UnreachableChat" (
    "chatId" TEXT NOT NULL PRIMARY KEY,
    "reason" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReminderRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "slotAt" DATETIME NOT NULL,
    "label" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "actor" TEXT,
    "ranAt" DATETIME NOT NULL,
    "recipients" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "parseMode" TEXT,
    "parts" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    "actor" TEXT,
    "createdAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME
);

-- CreateTable
CREATE TABLE "SchedulerLease" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "acquiredAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_dedupeKey_key" ON "OutboxMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_notBefore_idx" ON "OutboxMessage"("status", "notBefore");

-- CreateIndex
CREATE INDEX "OutboxMessage_batchId_status_idx" ON "OutboxMessage"("batchId", "status");

-- CreateIndex
CREATE INDEX "OutboxMessage_claimToken_idx" ON "OutboxMessage"("claimToken");

-- CreateIndex
CREATE INDEX "OutboxMessage_chatId_status_idx" ON "OutboxMessage"("chatId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ReminderRun_campaignId_slotAt_key" ON "ReminderRun"("campaignId", "slotAt");

-- CreateIndex
CREATE INDEX "SchedulerLease_expiresAt_idx" ON "SchedulerLease"("expiresAt");
