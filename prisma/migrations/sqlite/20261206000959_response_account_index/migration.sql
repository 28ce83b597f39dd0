-- CreateIndex
CREATE INDEX "Response_campaignId_account_idx" ON "Response"("campaignId", "account");
