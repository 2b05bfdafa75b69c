"""Browser tests (Playwright driving Debian's Chromium); run with `make e2e`."""
