"""Reusable LightningDataModules shared by plugins."""
