# Globally unique names of the data tier. Key Vault allows 3 to 24 letters,
# digits and hyphens, starting with a letter, ending with a letter or digit,
# without two hyphens in a row. The prefix is cut so that the name always
# fits, and a hyphen left at the cut is dropped. tests/terraform evaluates
# these expressions with the longest prefix the examples accept.

locals {
  key_vault_name_limit  = 24
  key_vault_name_prefix = trimsuffix(substr(var.name_prefix, 0, local.key_vault_name_limit - length("-kv-") - length(var.name_suffix)), "-")

  key_vault_name         = "${local.key_vault_name_prefix}-kv-${var.name_suffix}"
  postgresql_server_name = "${var.name_prefix}-pg-${var.name_suffix}"
  log_analytics_name     = "${var.name_prefix}-logs-${var.name_suffix}"
}
