"""The pack model and the catalog."""
