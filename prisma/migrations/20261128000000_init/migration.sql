-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "domainKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Manager" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "usernameKey" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'admin',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "lastLoginAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Manager_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OidcPayload" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "grantId" TEXT,
    "userCode" TEXT,
    "uid" TEXT,
    "expiresAt" DATETIME,
    "consumedAt" DATETIME,

    PRIMARY KEY ("type", "id")
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "jwk" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" DATETIME
);

-- CreateTable
CREATE TABLE "Connection" (
    "grantId" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "authorizedBy" TEXT,
    "authorizedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRefreshAt" DATETIME,
    "lastScimAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ApiClient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    CONSTRAINT "ApiClient_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiClientSecret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiClientSecret_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ApiClient" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScimUser" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "userNameKey" TEXT NOT NULL,
    "externalId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "displayName" TEXT,
    "data" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
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
    CONSTRAINT "ScimUser_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScimUserValue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    CONSTRAINT "ScimUserValue_userId_fkey" FOREIGN KEY ("userId") REFERENCES "ScimUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScimGroup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "displayNameKey" TEXT NOT NULL,
    "displayName" TEXT NOT NULL DEFAULT '',
    "externalId" TEXT,
    "data" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ScimGroup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ScimMember" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tenantId" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "userId" TEXT,
    "memberGroupId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ScimMember_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "ScimGroup" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScimMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "ScimUser" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScimMember_memberGroupId_fkey" FOREIGN KEY ("memberGroupId") REFERENCES "ScimGroup" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tenantId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
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
    CONSTRAINT "Activity_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ActivityHourly" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tenantId" TEXT NOT NULL,
    "hour" DATETIME NOT NULL,
    "grantId" TEXT NOT NULL DEFAULT '',
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "writes" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "managerId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "idToken" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "ConsoleSession_managerId_fkey" FOREIGN KEY ("managerId") REFERENCES "Manager" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

