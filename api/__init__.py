"""The read-only JSON API: the directory search and profiles (Django REST framework + drf-spectacular)."""
