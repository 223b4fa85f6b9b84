CREATE TABLE `attempt_limit` (
	`key` text PRIMARY KEY NOT NULL,
	`attempts` integer NOT NULL,
	`window_started_at` integer NOT NULL,
	`locked_until` integer
);
--> statement-breakpoint
CREATE INDEX `attempt_limit_window_idx` ON `attempt_limit` (`window_started_at`);--> statement-breakpoint
CREATE TABLE `password_reset_request` (
	`user_id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`issued_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `password_reset_request_tokenHash_unique` ON `password_reset_request` (`token_hash`);--> statement-breakpoint
ALTER TABLE `client_registration` ADD `resource_server` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `session_reauthentication` ADD `second_factor_at` integer;