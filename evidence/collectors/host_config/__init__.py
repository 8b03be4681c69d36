"""[host-config] Parsers of server configuration files: sshd, nginx, Apache and PostgreSQL."""
