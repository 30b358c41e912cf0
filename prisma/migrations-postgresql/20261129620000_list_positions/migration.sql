-- CreateTable
CREATE TABLE "ScimListCounter" (
    "tenantId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "ScimListCounter_pkey" PRIMARY KEY ("tenantId","resource","shard")
);

-- Not expressible in the Prisma schema: the list-position counters are bumped by the database in
-- the writing transaction itself, so no write path can forget them and a reader that sees a row
-- change also sees the counter change. Each backend bumps its own shard (pid modulo 16), so
-- concurrent writers of one tenant do not queue on one row lock, and one transaction always
-- touches one shard (no lock-order deadlock between two multi-row writers).
CREATE FUNCTION "scim_list_counter_bump"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (OLD."tenantId", TG_ARGV[0], pg_backend_pid() % 16, 1)
            ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "ScimListCounter"."n" + 1;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO "ScimListCounter" ("tenantId", "resource", "shard", "n") VALUES (NEW."tenantId", TG_ARGV[0], pg_backend_pid() % 16, 1)
            ON CONFLICT ("tenantId", "resource", "shard") DO UPDATE SET "n" = "ScimListCounter"."n" + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "ScimUser_list_counter" AFTER INSERT OR DELETE OR UPDATE OF "tenantId", "createdAt" ON "ScimUser"
    FOR EACH ROW EXECUTE FUNCTION "scim_list_counter_bump"('User');

CREATE TRIGGER "ScimGroup_list_counter" AFTER INSERT OR DELETE OR UPDATE OF "tenantId", "createdAt" ON "ScimGroup"
    FOR EACH ROW EXECUTE FUNCTION "scim_list_counter_bump"('Group');
