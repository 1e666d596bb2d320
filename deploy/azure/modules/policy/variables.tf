variable "name_prefix" {
  description = "Prefix of the policy names, for example \"moat-prod\"."
  type        = string
}

variable "resource_group_id" {
  description = "Resource group that the policies are assigned to."
  type        = string
}

variable "effect" {
  description = "Effect of both policies: Deny blocks the request, Audit only reports it (use it for a first rollout)."
  type        = string
  default     = "Deny"

  validation {
    condition     = contains(["Deny", "Audit"], var.effect)
    error_message = "effect must be Deny or Audit. To switch a policy off, remove its assignment deliberately instead of deploying a disabled one."
  }
}
