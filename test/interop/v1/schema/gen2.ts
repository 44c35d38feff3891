// Generation 2 (the same as ../../schema/gen2.ts): generation 1 plus a new enum value (ALTER TYPE ...
// ADD VALUE), a new column with its index, and a new table with two foreign keys and an index.
// generate.sh diffs it against generation 1 on the main line: the migration comments_and_due_dates.
import { sql } from 'drizzle-orm';
import {
  boolean, index, integer, jsonb, pgEnum, pgTable, serial, text, timestamp, uniqueIndex, varchar,
} from 'drizzle-orm/pg-core';

export const userRole = pgEnum('user_role', ['admin', 'member', 'guest']);
export const taskStatus = pgEnum('task_status', ['todo', 'doing', 'done', 'archived']);

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
  dueAt: timestamp('due_at', { withTimezone: true }),
}, (t) => [
  index('tasks_project_status_idx').on(t.projectId, t.status),
  index('tasks_open_idx').on(t.projectId).where(sql`${t.done} = false`),
  index('tasks_due_at_idx').on(t.dueAt),
]);

export const comments = pgTable('comments', {
  id: serial('id').primaryKey(),
  taskId: integer('task_id').notNull().references(() => tasks.id, { onDelete: 'cascade' }),
  authorId: integer('author_id').notNull().references(() => users.id),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [index('comments_task_created_idx').on(t.taskId, t.createdAt)]);
