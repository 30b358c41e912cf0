-- CreateTable
CREATE TABLE "ScimListCounter" (
    "tenantId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "n" BIGINT NOT NULL,

    PRIMARY KEY ("tenantId", "resource", "shard")
);

-- Not expressible in the Prisma schema: the list-position counters are bumped by the database in
-- the writing transaction itself, so no write path can forget them and a reader that sees a row
-- change also sees the counter change.
CREATE TRIGGER "ScimUser_list_counter_insert" AFTER INSERT ON "ScimUser" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (NEW."tenantId", 'User', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "ScimUser_list_counter_delete" AFTER DELETE ON "ScimUser" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (OLD."tenantId", 'User', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "ScimUser_list_counter_move" AFTER UPDATE OF "tenantId", "createdAt" ON "ScimUser" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (OLD."tenantId", 'User', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (NEW."tenantId", 'User', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "ScimGroup_list_counter_insert" AFTER INSERT ON "ScimGroup" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (NEW."tenantId", 'Group', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "ScimGroup_list_counter_delete" AFTER DELETE ON "ScimGroup" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (OLD."tenantId", 'Group', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "ScimGroup_list_counter_move" AFTER UPDATE OF "tenantId", "createdAt" ON "ScimGroup" BEGIN
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (OLD."tenantId", 'Group', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
    INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (NEW."tenantId", 'Group', 0, 1)
        ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "n" + 1;
END;
