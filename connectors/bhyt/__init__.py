"""Readers of the social security agency's BHYT lists and writers of coverage reports."""
