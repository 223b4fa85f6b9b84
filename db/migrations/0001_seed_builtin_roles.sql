-- Built-in roles exist in every installation; their permissions are seeded with the permission tables.
INSERT INTO `role` (`id`, `name`, `description`, `built_in`) VALUES
  ('role_owner', 'owner', 'Everything, in every domain, including owner-only settings.', 1),
  ('role_admin', 'admin', 'Everything except owner-only settings.', 1),
  ('role_domain_admin', 'domain-admin', 'Manages users, clients and tokens inside one domain.', 1),
  ('role_auditor', 'auditor', 'Reads everything, including the audit log; changes nothing.', 1),
  ('role_member', 'member', 'Personal scope only: own sessions, MFA, consents and tokens.', 1),
  ('role_guest', 'guest', 'Nothing beyond signing in.', 1);
