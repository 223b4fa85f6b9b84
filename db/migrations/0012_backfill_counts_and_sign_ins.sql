-- Installs that already hold audit history get their dashboard series and last sign-ins from it:
-- the recorder keeps both current from now on, and this fills what happened before (one pass each).
-- The outcome rule is outcomeOf() in server/audit/hourly-counts.ts.
INSERT INTO `audit_hourly_count` (`action`, `hour`, `domain_id`, `outcome`, `count`)
SELECT
	`action`,
	(`at` / 3600000) * 3600000,
	coalesce(`domain_id`, ''),
	CASE
		WHEN `action` = 'auth.sign_in_failed' THEN 'failure'
		WHEN `action` LIKE 'mcp.%' THEN CASE WHEN json_extract(`details`, '$.outcome') = 'ok' THEN 'success' ELSE 'failure' END
		ELSE 'success'
	END,
	count(*)
FROM `audit_event`
WHERE `action` IN ('auth.sign_in', 'auth.sign_in_failed', 'mcp.tool_called', 'mcp.resource_read', 'mcp.prompt_got')
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO `user_sign_in` (`user_id`, `last_sign_in_at`)
SELECT `target_id`, max(`at`)
FROM `audit_event`
WHERE `action` = 'auth.sign_in' AND `target_type` = 'user' AND `target_id` IN (SELECT `id` FROM `user`)
GROUP BY `target_id`;
