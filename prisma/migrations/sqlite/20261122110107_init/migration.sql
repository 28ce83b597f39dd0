-- CreateTable
CREATE TABLE "QuestionnaireVersion" (
    "pk" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "questionnaireId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "fileName" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sourceHash" TEXT NOT NULL,
    "loadedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "questionnaireVersionPk" INTEGER NOT NULL,
    "opensAt" DATETIME NOT NULL,
    "closesAt" DATETIME NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    "identified" BOOLEAN NOT NULL DEFAULT false,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Campaign_questionnaireVersionPk_fkey" FOREIGN KEY ("questionnaireVersionPk") REFERENCES "QuestionnaireVersion" ("pk") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Unit" (
    "campaignId" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parentCode" TEXT,

    PRIMARY KEY ("campaignId", "code"),
    CONSTRAINT "Unit_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Respondent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "fullName" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "subjectUnits" TEXT NOT NULL DEFAULT '',
    "coordinator" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Respondent_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CodeBatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "service" TEXT,
    "kind" TEXT NOT NULL DEFAULT 'slips',
    "count" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CodeBatch_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessCode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "respondentId" TEXT,
    "batchId" TEXT,
    "unitCode" TEXT,
    "service" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "boundAccount" TEXT,
    "boundAt" DATETIME,
    "issuedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "AccessCode_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessCode_respondentId_fkey" FOREIGN KEY ("respondentId") REFERENCES "Respondent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AccessCode_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "CodeBatch" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "account" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "success" BOOLEAN NOT NULL
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "account" TEXT,
    "chatId" TEXT,
    "respondentId" TEXT,
    "accessCodeId" TEXT,
    "responseId" TEXT,
    "language" TEXT,
    "state" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Session_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Session_respondentId_fkey" FOREIGN KEY ("respondentId") REFERENCES "Respondent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Session_accessCodeId_fkey" FOREIGN KEY ("accessCodeId") REFERENCES "AccessCode" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Response" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "questionnaireVersionPk" INTEGER NOT NULL,
    "respondentId" TEXT,
    "accessCodeId" TEXT,
    "source" TEXT NOT NULL DEFAULT 'bot',
    "externalId" TEXT,
    "subjectUnit" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "language" TEXT,
    "status" TEXT NOT NULL DEFAULT 'in_progress',
    "startedAt" DATETIME,
    "identityConfirmedAt" DATETIME,
    "attestedAt" DATETIME,
    "declinedAt" DATETIME,
    "submittedAt" DATETIME,
    "account" TEXT,
    "flags" TEXT NOT NULL DEFAULT '[]',
    "flagDecision" TEXT,
    "flagReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Response_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Response_questionnaireVersionPk_fkey" FOREIGN KEY ("questionnaireVersionPk") REFERENCES "QuestionnaireVersion" ("pk") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Response_respondentId_fkey" FOREIGN KEY ("respondentId") REFERENCES "Respondent" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Response_accessCodeId_fkey" FOREIGN KEY ("accessCodeId") REFERENCES "AccessCode" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Answer" (
    "responseId" TEXT NOT NULL,
    "questionId" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "answeredAt" DATETIME NOT NULL,
    "changedCount" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("responseId", "questionId"),
    CONSTRAINT "Answer_responseId_fkey" FOREIGN KEY ("responseId") REFERENCES "Response" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Appraisal" (
    "campaignId" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "points" REAL NOT NULL,

    PRIMARY KEY ("campaignId", "unitCode"),
    CONSTRAINT "Appraisal_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "campaignId" TEXT,
    "actor" TEXT,
    "data" TEXT NOT NULL DEFAULT '{}'
);

-- CreateIndex
CREATE UNIQUE INDEX "QuestionnaireVersion_questionnaireId_version_key" ON "QuestionnaireVersion"("questionnaireId", "version");

-- CreateIndex
CREATE INDEX "Respondent_campaignId_unitCode_idx" ON "Respondent"("campaignId", "unitCode");

-- CreateIndex
CREATE UNIQUE INDEX "Respondent_campaignId_externalId_key" ON "Respondent"("campaignId", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "AccessCode_codeHash_key" ON "AccessCode"("codeHash");

-- CreateIndex
CREATE INDEX "AccessCode_campaignId_respondentId_idx" ON "AccessCode"("campaignId", "respondentId");

-- CreateIndex
CREATE INDEX "AccessCode_boundAccount_idx" ON "AccessCode"("boundAccount");

-- CreateIndex
CREATE INDEX "AccessAttempt_account_at_idx" ON "AccessAttempt"("account", "at");

-- CreateIndex
CREATE INDEX "AccessAttempt_at_idx" ON "AccessAttempt"("at");

-- CreateIndex
CREATE INDEX "Session_channel_account_idx" ON "Session"("channel", "account");

-- CreateIndex
CREATE INDEX "Response_campaignId_status_idx" ON "Response"("campaignId", "status");

-- CreateIndex
CREATE INDEX "Response_respondentId_idx" ON "Response"("respondentId");

-- CreateIndex
CREATE UNIQUE INDEX "Response_campaignId_externalId_key" ON "Response"("campaignId", "externalId");

-- CreateIndex
CREATE INDEX "AuditEvent_kind_at_idx" ON "AuditEvent"("kind", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_campaignId_at_idx" ON "AuditEvent"("campaignId", "at");
