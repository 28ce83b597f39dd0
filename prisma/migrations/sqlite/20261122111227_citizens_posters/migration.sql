-- CreateTable
CREATE TABLE "Poster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "service" TEXT,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "refused" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "PosterClaim" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Poster_tokenHash_key" ON "Poster"("tokenHash");

-- CreateIndex
CREATE INDEX "Poster_campaignId_unitCode_idx" ON "Poster"("campaignId", "unitCode");

-- CreateIndex
CREATE INDEX "PosterClaim_expiresAt_idx" ON "PosterClaim"("expiresAt");
