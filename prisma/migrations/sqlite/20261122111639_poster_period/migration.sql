-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Poster" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "unitCode" TEXT NOT NULL,
    "service" TEXT,
    "tokenHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "periodDays" INTEGER NOT NULL DEFAULT 30
);
INSERT INTO "new_Poster" ("campaignId", "createdAt", "id", "refused", "revokedAt", "service", "tokenHash", "unitCode") SELECT "campaignId", "createdAt", "id", "refused", "revokedAt", "service", "tokenHash", "unitCode" FROM "Poster";
DROP TABLE "Poster";
ALTER TABLE "new_Poster" RENAME TO "Poster";
CREATE UNIQUE INDEX "Poster_tokenHash_key" ON "Poster"("tokenHash");
CREATE INDEX "Poster_campaignId_unitCode_idx" ON "Poster"("campaignId", "unitCode");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
