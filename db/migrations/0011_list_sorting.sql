CREATE TABLE `user_sign_in` (
	`user_id` text PRIMARY KEY NOT NULL,
	`last_sign_in_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `user`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `user_sign_in_last_idx` ON `user_sign_in` (`last_sign_in_at`,`user_id`);--> statement-breakpoint
CREATE INDEX `user_name_idx` ON `user` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `user_created_at_idx` ON `user` (`created_at`,`id`);