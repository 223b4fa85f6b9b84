CREATE INDEX `audit_event_client_idx` ON `audit_event` (`client_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `session_updated_at_idx` ON `session` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `session_created_at_idx` ON `session` (`created_at`,`id`);