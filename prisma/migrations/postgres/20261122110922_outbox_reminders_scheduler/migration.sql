-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" SERIAL NOT NULL,
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
    "notBefore" TIMESTAMP(3) NOT NULL,
    "claimToken" TEXT,
    "claimedAt" TIMESTAMP(3),
    "sendingAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "telegramMessageId" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnreachableChat" (
    "chatId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UnreachableChat_pkey" PRIMARY KEY ("chatId")
);

-- CreateTable
CREATE TABLE "ReminderRun" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "slotAt" TIMESTAMP(3) NOT NULL,
    "label" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "actor" TEXT,
    "ranAt" TIMESTAMP(3) NOT NULL,
    "recipients" INTEGER NOT NULL,

    CONSTRAINT "ReminderRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "parseMode" TEXT,
    "parts" INTEGER NOT NULL,
    "recipients" INTEGER NOT NULL,
    "actor" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SchedulerLease" (
    "key" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SchedulerLease_pkey" PRIMARY KEY ("key")
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
