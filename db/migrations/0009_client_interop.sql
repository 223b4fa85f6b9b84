CREATE TABLE `installation_setting` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`updated_by`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `metadata_document_host` (
	`host` text PRIMARY KEY NOT NULL,
	`rule` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`created_by` text,
	FOREIGN KEY (`created_by`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `refresh_exchange` (
	`presented_token_hash` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`response` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refresh_exchange_expiry_idx` ON `refresh_exchange` (`expires_at`);--> statement-breakpoint
DROP TABLE `mfa_failure`;--> statement-breakpoint
ALTER TABLE `client_registration` ADD `registration_access_token_hash` text;--> statement-breakpoint
ALTER TABLE `client_registration` ADD `metadata_document_expires_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `client_registration_registrationAccessTokenHash_unique` ON `client_registration` (`registration_access_token_hash`);--> statement-breakpoint
CREATE INDEX `client_registration_origin_idx` ON `client_registration` (`origin`,`created_at`);