-- Hand-written migration: document_chunks holds the text of each document split for retrieval.
-- Embeddings are kept as real[] (stock PostgreSQL, no pgvector); search_vector is computed by the
-- server. Written to be safe to re-run by hand: IF NOT EXISTS where PostgreSQL has it, a catalog
-- check where it does not (CREATE POLICY, ADD CONSTRAINT).
CREATE TABLE IF NOT EXISTS "document_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"document_id" uuid NOT NULL,
	"chunk_index" integer NOT NULL,
	"content" text NOT NULL,
	"token_count" integer DEFAULT 0 NOT NULL,
	"embedding" real[],
	"search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "content")) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_chunks_document_id_chunk_index_unique" UNIQUE("document_id","chunk_index"),
	CONSTRAINT "document_chunks_chunk_index_check" CHECK ("chunk_index" >= 0)
);
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'document_chunks_document_id_documents_id_fk') THEN
    ALTER TABLE "document_chunks" ADD CONSTRAINT "document_chunks_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'document_chunks_tenant_id_tenants_id_fk') THEN
    ALTER TABLE "document_chunks" ADD CONSTRAINT "document_chunks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
  END IF;
END
$$;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_document_id_idx" ON "document_chunks" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "document_chunks_search_vector_idx" ON "document_chunks" USING gin ("search_vector");--> statement-breakpoint
ALTER TABLE "document_chunks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_policies
    WHERE schemaname = 'public' AND tablename = 'document_chunks' AND policyname = 'document_chunks_tenant_isolation'
  ) THEN
    CREATE POLICY "document_chunks_tenant_isolation" ON "document_chunks" AS PERMISSIVE FOR ALL TO "authenticated"
      USING ("document_chunks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid)
      WITH CHECK ("document_chunks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);
  END IF;
END
$$;--> statement-breakpoint
-- 0001's default privileges already cover new tables; granted again so the migration stands alone.
GRANT SELECT, INSERT, UPDATE, DELETE ON "document_chunks" TO "authenticated";--> statement-breakpoint
COMMENT ON TABLE "document_chunks" IS 'Chunks of a document; one row per chunk, ordered by chunk_index';
