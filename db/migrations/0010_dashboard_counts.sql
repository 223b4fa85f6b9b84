CREATE TABLE `audit_hourly_count` (
	`action` text NOT NULL,
	`hour` integer NOT NULL,
	`domain_id` text NOT NULL,
	`outcome` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`action`, `hour`, `domain_id`, `outcome`)
);
--> statement-breakpoint
CREATE INDEX `audit_hourly_count_domain_idx` ON `audit_hourly_count` (`domain_id`,`action`,`hour`);