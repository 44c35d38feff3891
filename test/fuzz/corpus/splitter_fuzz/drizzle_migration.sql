ALTER TABLE "ai_usage" ADD COLUMN IF NOT EXISTS "correlation_id" uuid
  DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
DO $$ BEGIN
 CREATE TYPE "public"."role" AS ENUM('admin', 'user');
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ai_usage_correlationId_idx"
  ON "ai_usage" USING btree ("correlation_id");
