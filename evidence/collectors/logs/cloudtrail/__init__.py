"""The CloudTrail collector (:mod:`.collector`) and what it reads with: events, digests, S3, Athena."""
