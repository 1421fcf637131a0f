"""Cross-cutting web helpers: htmx fragment-or-page, errors, security headers, i18n, templating."""
