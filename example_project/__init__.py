"""A small drive API that answers every error as the api_errors catalog says."""
