-- CreateTable
CREATE TABLE "WebUpload" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "rows" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebUpload_expiresAt_idx" ON "WebUpload"("expiresAt");
