-- AlterTable
ALTER TABLE "SsoConfig" ADD COLUMN     "allowExpiredCerts" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "EndUserSession" ADD COLUMN     "samlNameId" TEXT,
ADD COLUMN     "samlSessionIndex" TEXT,
ADD COLUMN     "upstreamSid" TEXT;

-- AlterTable
ALTER TABLE "SsoApp" ADD COLUMN     "initiateLoginUri" TEXT;

-- CreateTable
CREATE TABLE "SsoPendingLogin" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "amr" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "SsoPendingLogin_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SsoPendingLogin_expiresAt_idx" ON "SsoPendingLogin"("expiresAt");

-- CreateIndex
CREATE INDEX "EndUserSession_upstreamSid_idx" ON "EndUserSession"("upstreamSid");

