"""Lecture mode: the lecture's figures as live scenes, one per projector screen (app_pages/lecture.py)."""
