"""The coordinator's web page: template, labels and static assets (no CDN: served locally)."""
