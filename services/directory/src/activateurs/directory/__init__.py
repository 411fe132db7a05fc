"""The directory service: the public directory of activators: publication, search, profiles, statistics, open data."""
