"""The example's drive: API keys, folders and files, connector imports and search."""
