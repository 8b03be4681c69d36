"""[job-history] Run histories of retention jobs: cron, systemd, Kubernetes, Airflow, CSV."""
