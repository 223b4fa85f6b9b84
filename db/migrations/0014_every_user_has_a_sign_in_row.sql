-- Every account has a user_sign_in row, 0 until its first sign-in, so that the users list sorted by
-- last sign-in reads user_sign_in_last_idx in order and joins user by key, instead of computing a
-- subquery for every user and sorting them all. The trigger covers every way a user row is written
-- (better-auth, invitations, the seed script, tests); the insert fills the rows of existing users.
CREATE TRIGGER `user_sign_in_on_user_insert` AFTER INSERT ON `user`
BEGIN
	INSERT OR IGNORE INTO `user_sign_in` (`user_id`, `last_sign_in_at`) VALUES (NEW.`id`, 0);
END;
--> statement-breakpoint
INSERT INTO `user_sign_in` (`user_id`, `last_sign_in_at`)
SELECT `id`, 0 FROM `user` WHERE `id` NOT IN (SELECT `user_id` FROM `user_sign_in`);
