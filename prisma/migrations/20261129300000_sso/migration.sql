-- CreateTable
CREATE TABLE "SsoConfig" (
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SsoCert" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "pem" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "notAfter" DATETIME NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SsoRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "returnTo" TEXT,
    "nonce" TEXT,
    "codeVerifier" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SsoAssertionUse" (
    "issuer" TEXT NOT NULL,
    "assertionId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("issuer", "assertionId")
);

-- CreateTable
CREATE TABLE "EndUserSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "amr" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SsoUserLink" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "objectId" TEXT,
    "lastSignInAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SsoEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tenantId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "protocol" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "userId" TEXT,
    "subject" TEXT
);

-- CreateTable
CREATE TABLE "SsoApp" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "redirectUris" TEXT NOT NULL,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "secretHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "SsoCert_tenantId_fingerprint_key" ON "SsoCert"("tenantId", "fingerprint");

-- CreateIndex
CREATE INDEX "SsoRequest_expiresAt_idx" ON "SsoRequest"("expiresAt");

-- CreateIndex
CREATE INDEX "SsoAssertionUse_expiresAt_idx" ON "SsoAssertionUse"("expiresAt");

-- CreateIndex
CREATE INDEX "EndUserSession_userId_idx" ON "EndUserSession"("userId");

-- CreateIndex
CREATE INDEX "EndUserSession_expiresAt_idx" ON "EndUserSession"("expiresAt");

-- CreateIndex
CREATE INDEX "SsoUserLink_tenantId_idx" ON "SsoUserLink"("tenantId");

-- CreateIndex
CREATE INDEX "SsoEvent_tenantId_at_idx" ON "SsoEvent"("tenantId", "at");

-- CreateIndex
CREATE INDEX "SsoApp_tenantId_idx" ON "SsoApp"("tenantId");

