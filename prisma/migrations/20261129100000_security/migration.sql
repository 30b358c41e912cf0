-- AlterTable
ALTER TABLE "OidcPayload" ADD COLUMN "successor" TEXT;

-- CreateTable
CREATE TABLE "ThrottleBucket" (
    "bucket" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ThrottleBucket_windowStart_idx" ON "ThrottleBucket"("windowStart");

