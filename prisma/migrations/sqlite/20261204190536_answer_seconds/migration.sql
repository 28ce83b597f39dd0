-- AlterTable
ALTER TABLE "Answer" ADD COLUMN "seconds" REAL;
