-- CreateIndex
CREATE INDEX "Session_respondentId_idx" ON "Session"("respondentId");

-- Data: Response.source names the channel, and older rows say "bot", which meant Telegram.
UPDATE "Response" SET "source" = 'telegram' WHERE "source" = 'bot';
