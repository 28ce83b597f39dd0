-- DropIndex
DROP INDEX "Response_campaignId_status_idx";

-- CreateIndex
CREATE INDEX "Session_accessCodeId_idx" ON "Session"("accessCodeId");

-- CreateIndex
CREATE INDEX "Response_campaignId_status_submittedAt_id_idx" ON "Response"("campaignId", "status", "submittedAt", "id");

-- CreateIndex
CREATE INDEX "Response_campaignId_account_idx" ON "Response"("campaignId", "account");

-- CreateIndex
CREATE INDEX "Response_accessCodeId_idx" ON "Response"("accessCodeId");
