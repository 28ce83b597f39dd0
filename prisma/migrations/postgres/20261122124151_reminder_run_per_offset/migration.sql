-- DropIndex
DROP INDEX "ReminderRun_campaignId_slotAt_key";

-- AlterTable
ALTER TABLE "ReminderRun" ADD COLUMN     "forClosesAt" TIMESTAMP(3),
ADD COLUMN     "slotOffset" TEXT;

-- CreateIndex
CREATE INDEX "ReminderRun_campaignId_slotAt_idx" ON "ReminderRun"("campaignId", "slotAt");

-- Backfill: a run is now unique per campaign, offset and close time. The latest scheduled run of
-- each campaign and offset keeps its key (computed for the campaign's current close), so changing
-- the time of day after upgrading does not send that reminder again (older runs keep null keys).
UPDATE "ReminderRun" AS r
SET "slotOffset" = split_part(r."label", '@', 1),
    "forClosesAt" = (SELECT c."closesAt" FROM "Campaign" AS c WHERE c."id" = r."campaignId")
WHERE r."trigger" = 'scheduled'
  AND r."id" = (
    SELECT r2."id" FROM "ReminderRun" AS r2
    WHERE r2."campaignId" = r."campaignId" AND r2."trigger" = 'scheduled' AND split_part(r2."label", '@', 1) = split_part(r."label", '@', 1)
    ORDER BY r2."slotAt" DESC, r2."id" DESC LIMIT 1
  );

-- CreateIndex
CREATE UNIQUE INDEX "ReminderRun_campaignId_slotOffset_forClosesAt_key" ON "ReminderRun"("campaignId", "slotOffset", "forClosesAt");
