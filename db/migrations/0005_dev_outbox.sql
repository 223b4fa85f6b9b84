CREATE TABLE `dev_outbox_message` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`link` text
);
--> statement-breakpoint
CREATE INDEX `dev_outbox_message_created_idx` ON `dev_outbox_message` (`created_at`,`id`);