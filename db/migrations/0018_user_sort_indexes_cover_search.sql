DROP INDEX `user_name_idx`;--> statement-breakpoint
DROP INDEX `user_created_at_idx`;--> statement-breakpoint
CREATE INDEX `user_name_idx` ON `user` (`name`,`id`,`email`);--> statement-breakpoint
CREATE INDEX `user_created_at_idx` ON `user` (`created_at`,`id`,`name`,`email`);