"""What every domain may use and nothing in it imports a domain or the web layer: domain errors,
formatting of money and quantities, the reader's language, time and public URLs.

Services and models import these from here, never from app/web (routes, htmx, error pages),
so a rule written in a service holds for every entry point: web, SMS, webhooks, CLI jobs.
import-linter checks both directions (.importlinter)."""
