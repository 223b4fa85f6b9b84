CREATE TABLE `audit_event` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_user_id` text,
	`actor_via` text NOT NULL,
	`client_id` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`domain_id` text,
	`ip` text,
	`user_agent` text,
	`details` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_event_at_idx` ON `audit_event` (`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_event_actor_idx` ON `audit_event` (`actor_user_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_event_action_idx` ON `audit_event` (`action`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_event_target_idx` ON `audit_event` (`target_type`,`target_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_event_domain_idx` ON `audit_event` (`domain_id`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `domain` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`mfa_policy` text DEFAULT 'optional' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `domain_slug_unique` ON `domain` (`slug`);--> statement-breakpoint
CREATE TABLE `domain_email_domain` (
	`email_domain` text PRIMARY KEY NOT NULL,
	`domain_id` text NOT NULL,
	FOREIGN KEY (`domain_id`) REFERENCES `domain`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `domain_email_domain_domain_idx` ON `domain_email_domain` (`domain_id`);--> statement-breakpoint
CREATE TABLE `invitation` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`invited_by` text,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `invitation_user_idx` ON `invitation` (`user_id`);--> statement-breakpoint
CREATE TABLE `role_permission` (
	`role_id` text NOT NULL,
	`permission` text NOT NULL,
	PRIMARY KEY(`role_id`, `permission`),
	FOREIGN KEY (`role_id`) REFERENCES `role`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `user_ban` (
	`user_id` text PRIMARY KEY NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`banned_by` text,
	`banned_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`banned_by`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_role_assignment` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`role_id` text NOT NULL,
	`domain_id` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `role`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`domain_id`) REFERENCES `domain`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
INSERT INTO `__new_role_assignment`("id", "user_id", "role_id", "domain_id", "created_at") SELECT "id", "user_id", "role_id", "domain_id", "created_at" FROM `role_assignment`;--> statement-breakpoint
DROP TABLE `role_assignment`;--> statement-breakpoint
ALTER TABLE `__new_role_assignment` RENAME TO `role_assignment`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `role_assignment_user_idx` ON `role_assignment` (`user_id`,`domain_id`);--> statement-breakpoint
CREATE INDEX `role_assignment_role_idx` ON `role_assignment` (`role_id`,`domain_id`);--> statement-breakpoint
CREATE INDEX `role_assignment_domain_idx` ON `role_assignment` (`domain_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignment_global_unique_idx` ON `role_assignment` (`user_id`,`role_id`) WHERE "role_assignment"."domain_id" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `role_assignment_domain_unique_idx` ON `role_assignment` (`user_id`,`role_id`,`domain_id`) WHERE "role_assignment"."domain_id" IS NOT NULL;