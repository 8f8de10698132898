"""BHYT health-insurance cards: premium rules, the base salary table and coverage gaps."""
