// The feature branch, cut from generation 1: generation 1 plus one new table, audit_log. generate.sh
// runs drizzle-kit generate on a copy of the folder that holds only generation 1, so the migration's
// parent is generation 1 (as is comments_and_due_dates'): branch_audit_log, merged into the main
// folder after comments_and_due_dates with an older timestamp.
import { sql } from 'drizzle-orm';
import {
  boolean, index, integer, jsonb, pgEnum, pgTable, serial, text, timestamp, uniqueIndex, varchar,
} from 'drizzle-orm/pg-core';

export const userRole = pgEnum('user_role', ['admin', 'member', 'guest']);
export const taskStatus = pgEnum('task_status', ['todo', 'doing', 'done']);

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 320 }).notNull(),
  name: text('name').notNull(),
  role: userRole('role').notNull().default('member'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('users_email_key').on(t.email)]);

export const projects = pgTable('projects', {
  id: serial('id').primaryKey(),
  ownerId: integer('owner_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
}, (t) => [index('projects_owner_idx').on(t.ownerId)]);

export const tasks = pgTable('tasks', {
  id: serial('id').primaryKey(),
  projectId: integer('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
  assigneeId: integer('assignee_id').references(() => users.id, { onDelete: 'set null' }),
  title: text('title').notNull(),
  status: taskStatus('status').notNull().default('todo'),
  done: boolean('done').notNull().default(false),
}, (t) => [
  index('tasks_project_status_idx').on(t.projectId, t.status),
  index('tasks_open_idx').on(t.projectId).where(sql`${t.done} = false`),
]);

export const auditLog = pgTable('audit_log', {
  id: serial('id').primaryKey(),
  userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
  action: text('action').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('audit_log_user_at_idx').on(t.userId, t.at)]);
