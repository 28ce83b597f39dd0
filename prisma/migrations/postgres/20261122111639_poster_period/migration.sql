-- AlterTable
ALTER TABLE "Poster" ADD COLUMN     "periodDays" INTEGER NOT NULL DEFAULT 30;
