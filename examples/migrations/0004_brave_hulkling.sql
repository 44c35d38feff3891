CREATE TYPE "public"."research_project_status" AS ENUM('draft', 'active', 'completed', 'archived');--> statement-breakpoint
CREATE TYPE "public"."research_source_kind" AS ENUM('web', 'pdf', 'paper', 'note');--> statement-breakpoint
CREATE TABLE "research_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"owner_id" uuid,
	"title" varchar(256) NOT NULL,
	"description" text,
	"status" "research_project_status" DEFAULT 'draft' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "research_projects" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "research_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" "research_source_kind" DEFAULT 'web' NOT NULL,
	"url" text,
	"title" text NOT NULL,
	"content_hash" varchar(64),
	"retrieved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "research_sources" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "research_projects" ADD CONSTRAINT "research_projects_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_projects" ADD CONSTRAINT "research_projects_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_projects" ADD CONSTRAINT "research_projects_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_sources" ADD CONSTRAINT "research_sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "research_sources" ADD CONSTRAINT "research_sources_project_id_research_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."research_projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "research_projects_organization_id_idx" ON "research_projects" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "research_projects_tenant_status_idx" ON "research_projects" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "research_sources_project_id_idx" ON "research_sources" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "research_sources_project_url_idx" ON "research_sources" USING btree ("project_id","url") WHERE "research_sources"."url" is not null;--> statement-breakpoint
CREATE POLICY "research_projects_tenant_isolation" ON "research_projects" AS PERMISSIVE FOR ALL TO "authenticated" USING ("research_projects"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("research_projects"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "research_sources_tenant_isolation" ON "research_sources" AS PERMISSIVE FOR ALL TO "authenticated" USING ("research_sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("research_sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);