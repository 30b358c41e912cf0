-- AlterTable
ALTER TABLE "Activity" ADD COLUMN     "changes" TEXT;
