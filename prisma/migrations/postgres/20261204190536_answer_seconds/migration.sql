-- AlterTable
ALTER TABLE "Answer" ADD COLUMN     "seconds" DOUBLE PRECISION;
