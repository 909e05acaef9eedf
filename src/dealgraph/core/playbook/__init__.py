"""The playbook language: schema, loader with located problems, CEL rules, diagrams."""
