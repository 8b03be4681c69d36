"""[host-config] Parsers of server configuration files: sshd, nginx, Apache, postgresql.conf, pg_hba.conf."""
