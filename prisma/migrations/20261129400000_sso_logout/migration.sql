-- AlterTable
ALTER TABLE "EndUserSession" ADD COLUMN "samlNameId" TEXT;
ALTER TABLE "EndUserSession" ADD COLUMN "samlSessionIndex" TEXT;
ALTER TABLE "EndUserSession" ADD COLUMN "upstreamSid" TEXT;

-- AlterTable
ALTER TABLE "SsoApp" ADD COLUMN "initiateLoginUri" TEXT;

-- CreateTable
CREATE TABLE "SsoPendingLogin" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "amr" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SsoConfig" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "protocol" TEXT NOT NULL,
    "matchAttribute" TEXT NOT NULL DEFAULT 'userName',
    "enforce" BOOLEAN NOT NULL DEFAULT false,
    "entraTenantId" TEXT,
    "idpEntityId" TEXT,
    "idpSsoUrl" TEXT,
    "idpSloUrl" TEXT,
    "metadataUrl" TEXT,
    "allowIdpInitiated" BOOLEAN NOT NULL DEFAULT false,
    "allowSha1" BOOLEAN NOT NULL DEFAULT false,
    "oidcIssuer" TEXT,
    "oidcClientId" TEXT,
    "oidcSecretEnc" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "allowExpiredCerts" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_SsoConfig" ("allowIdpInitiated", "allowSha1", "createdAt", "enforce", "entraTenantId", "idpEntityId", "idpSloUrl", "idpSsoUrl", "matchAttribute", "metadataUrl", "oidcClientId", "oidcIssuer", "oidcSecretEnc", "protocol", "tenantId", "updatedAt") SELECT "allowIdpInitiated", "allowSha1", "createdAt", "enforce", "entraTenantId", "idpEntityId", "idpSloUrl", "idpSsoUrl", "matchAttribute", "metadataUrl", "oidcClientId", "oidcIssuer", "oidcSecretEnc", "protocol", "tenantId", "updatedAt" FROM "SsoConfig";
DROP TABLE "SsoConfig";
ALTER TABLE "new_SsoConfig" RENAME TO "SsoConfig";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "SsoPendingLogin_expiresAt_idx" ON "SsoPendingLogin"("expiresAt");

-- CreateIndex
CREATE INDEX "EndUserSession_upstreamSid_idx" ON "EndUserSession"("upstreamSid");

