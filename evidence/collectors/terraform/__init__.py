"""[terraform] AWS settings as declared and applied: Terraform state and plan JSON."""
