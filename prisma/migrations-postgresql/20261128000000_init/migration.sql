-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "domainKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Manager" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "usernameKey" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'admin',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "lastLoginAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Manager_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OidcPayload" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "expiresAt" TIMESTAMP(3),
    "consumedAt" TIMESTAMP(3),
    "successor" TEXT,

    CONSTRAINT "OidcPayload_pkey" PRIMARY KEY ("type","id")
);

-- CreateTable
CREATE TABLE "ThrottleBucket" (
    "bucket" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThrottleBucket_pkey" PRIMARY KEY ("bucket")
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "kid" TEXT NOT NULL,
    "jwk" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "SigningKey_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "Connection" (
    "grantId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "authorizedBy" TEXT,
    "authorizedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRefreshAt" TIMESTAMP(3),
    "lastScimAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Connection_pkey" PRIMARY KEY ("grantId")
);

-- CreateTable
CREATE TABLE "ApiClient" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,

    CONSTRAINT "ApiClient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiClientSecret" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiClientSecret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimUser" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "externalId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "displayName" TEXT,
    "data" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "displayNameKey" TEXT,
    "nickNameKey" TEXT,
    "titleKey" TEXT,
    "userTypeKey" TEXT,
    "preferredLanguageKey" TEXT,
    "localeKey" TEXT,
    "timezoneKey" TEXT,
    "profileUrlKey" TEXT,
    "givenNameKey" TEXT,
    "familyNameKey" TEXT,
    "middleNameKey" TEXT,
    "formattedNameKey" TEXT,
    "honorificPrefixKey" TEXT,
    "honorificSuffixKey" TEXT,
    "employeeNumberKey" TEXT,
    "costCenterKey" TEXT,
    "organizationKey" TEXT,
    "divisionKey" TEXT,
    "departmentKey" TEXT,
    "managerId" TEXT,

    CONSTRAINT "ScimUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimUserValue" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "attr" TEXT NOT NULL,
    "typeKey" TEXT,
    "valueKey" TEXT,
    "displayKey" TEXT,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "formattedKey" TEXT,
    "streetKey" TEXT,
    "localityKey" TEXT,
    "regionKey" TEXT,
    "postalCodeKey" TEXT,
    "countryKey" TEXT,

    CONSTRAINT "ScimUserValue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimGroup" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "displayNameKey" TEXT NOT NULL,
    "displayName" TEXT NOT NULL DEFAULT '',
    "externalId" TEXT,
    "data" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScimGroup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimMember" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "userId" TEXT,
    "memberGroupId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScimMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "grantId" TEXT,
    "clientId" TEXT,
    "method" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "resourceType" TEXT,
    "resourceId" TEXT,
    "status" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "scimType" TEXT,
    "detail" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "Activity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ActivityHourly" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "grantId" TEXT NOT NULL DEFAULT '',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "writes" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ActivityHourly_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "managerId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "idToken" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScimSecretToken" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "expiresAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ScimSecretToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event" TEXT NOT NULL,
    "actor" TEXT,
    "ip" TEXT,
    "outcome" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoConfig" (
    "tenantId" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SsoConfig_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "SsoCert" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "pem" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "notAfter" TIMESTAMP(3) NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SsoCert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoRequest" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "returnTo" TEXT,
    "nonce" TEXT,
    "codeVerifier" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "SsoRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoAssertionUse" (
    "issuer" TEXT NOT NULL,
    "assertionId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SsoAssertionUse_pkey" PRIMARY KEY ("issuer","assertionId")
);

-- CreateTable
CREATE TABLE "EndUserSession" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "amr" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndUserSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoUserLink" (
    "userId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "objectId" TEXT,
    "lastSignInAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SsoUserLink_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "SsoEvent" (
    "id" SERIAL NOT NULL,
    "tenantId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "protocol" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "userId" TEXT,
    "subject" TEXT,

    CONSTRAINT "SsoEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SsoApp" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "redirectUris" TEXT NOT NULL,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "secretHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SsoApp_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_domainKey_key" ON "Tenant"("domainKey");

-- CreateIndex
CREATE UNIQUE INDEX "Manager_tenantId_usernameKey_key" ON "Manager"("tenantId", "usernameKey");

-- CreateIndex
CREATE INDEX "OidcPayload_grantId_idx" ON "OidcPayload"("grantId");

-- CreateIndex
CREATE INDEX "OidcPayload_uid_idx" ON "OidcPayload"("uid");

-- CreateIndex
CREATE INDEX "OidcPayload_userCode_idx" ON "OidcPayload"("userCode");

-- CreateIndex
CREATE INDEX "OidcPayload_expiresAt_idx" ON "OidcPayload"("expiresAt");

-- CreateIndex
CREATE INDEX "ThrottleBucket_windowStart_idx" ON "ThrottleBucket"("windowStart");

-- CreateIndex
CREATE INDEX "Connection_tenantId_idx" ON "Connection"("tenantId");

-- CreateIndex
CREATE INDEX "ApiClient_tenantId_idx" ON "ApiClient"("tenantId");

-- CreateIndex
CREATE INDEX "ApiClientSecret_clientId_idx" ON "ApiClientSecret"("clientId");

-- CreateIndex
CREATE INDEX "ScimUser_tenantId_externalId_idx" ON "ScimUser"("tenantId", "externalId");

-- CreateIndex
CREATE INDEX "ScimUser_tenantId_displayNameKey_idx" ON "ScimUser"("tenantId", "displayNameKey");

-- CreateIndex
CREATE INDEX "ScimUser_tenantId_createdAt_id_idx" ON "ScimUser"("tenantId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "ScimUser_tenantId_updatedAt_id_idx" ON "ScimUser"("tenantId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "ScimUser_tenantId_managerId_idx" ON "ScimUser"("tenantId", "managerId");

-- CreateIndex
CREATE UNIQUE INDEX "ScimUser_tenantId_userNameKey_key" ON "ScimUser"("tenantId", "userNameKey");

-- CreateIndex
CREATE INDEX "ScimUserValue_tenantId_attr_valueKey_idx" ON "ScimUserValue"("tenantId", "attr", "valueKey");

-- CreateIndex
CREATE INDEX "ScimUserValue_userId_idx" ON "ScimUserValue"("userId");

-- CreateIndex
CREATE INDEX "ScimGroup_tenantId_externalId_idx" ON "ScimGroup"("tenantId", "externalId");

-- CreateIndex
CREATE INDEX "ScimGroup_tenantId_createdAt_id_idx" ON "ScimGroup"("tenantId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ScimGroup_tenantId_displayNameKey_key" ON "ScimGroup"("tenantId", "displayNameKey");

-- CreateIndex
CREATE INDEX "ScimMember_userId_idx" ON "ScimMember"("userId");

-- CreateIndex
CREATE INDEX "ScimMember_memberGroupId_idx" ON "ScimMember"("memberGroupId");

-- CreateIndex
CREATE UNIQUE INDEX "ScimMember_groupId_userId_key" ON "ScimMember"("groupId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "ScimMember_groupId_memberGroupId_key" ON "ScimMember"("groupId", "memberGroupId");

-- CreateIndex
CREATE INDEX "Activity_tenantId_at_idx" ON "Activity"("tenantId", "at");

-- CreateIndex
CREATE INDEX "Activity_tenantId_resourceType_resourceId_idx" ON "Activity"("tenantId", "resourceType", "resourceId");

-- CreateIndex
CREATE INDEX "Activity_at_idx" ON "Activity"("at");

-- CreateIndex
CREATE INDEX "ActivityHourly_hour_idx" ON "ActivityHourly"("hour");

-- CreateIndex
CREATE UNIQUE INDEX "ActivityHourly_tenantId_hour_grantId_key" ON "ActivityHourly"("tenantId", "hour", "grantId");

-- CreateIndex
CREATE INDEX "ConsoleSession_managerId_idx" ON "ConsoleSession"("managerId");

-- CreateIndex
CREATE INDEX "ConsoleSession_expiresAt_idx" ON "ConsoleSession"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ScimSecretToken_tokenHash_key" ON "ScimSecretToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ScimSecretToken_tenantId_nameKey_idx" ON "ScimSecretToken"("tenantId", "nameKey");

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_at_idx" ON "AuditEvent"("tenantId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

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

-- AddForeignKey
ALTER TABLE "Manager" ADD CONSTRAINT "Manager_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClient" ADD CONSTRAINT "ApiClient_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiClientSecret" ADD CONSTRAINT "ApiClientSecret_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimUser" ADD CONSTRAINT "ScimUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimUserValue" ADD CONSTRAINT "ScimUserValue_userId_fkey" FOREIGN KEY ("userId") REFERENCES "ScimUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimGroup" ADD CONSTRAINT "ScimGroup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimMember" ADD CONSTRAINT "ScimMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "ScimGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimMember" ADD CONSTRAINT "ScimMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "ScimUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScimMember" ADD CONSTRAINT "ScimMember_memberGroupId_fkey" FOREIGN KEY ("memberGroupId") REFERENCES "ScimGroup"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Activity" ADD CONSTRAINT "Activity_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsoleSession" ADD CONSTRAINT "ConsoleSession_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "Manager"("id") ON DELETE CASCADE ON UPDATE CASCADE;

