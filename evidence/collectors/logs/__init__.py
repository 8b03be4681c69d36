"""Log collectors: web, host, database, application and CloudTrail logs on one shared base (:mod:`.base`)."""
