-- CreateTable
CREATE TABLE "Poster" (
    "id" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "service" TEXT,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "refused" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Poster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PosterClaim" (
    "key" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PosterClaim_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Poster_tokenHash_key" ON "Poster"("tokenHash");

-- CreateIndex
CREATE INDEX "Poster_campaignId_unitCode_idx" ON "Poster"("campaignId", "unitCode");

-- CreateIndex
CREATE INDEX "PosterClaim_expiresAt_idx" ON "PosterClaim"("expiresAt");
