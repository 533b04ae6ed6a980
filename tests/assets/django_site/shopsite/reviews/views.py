"""Named views.py for history's sake: it only holds models now."""
from django.db import models

from .models import Review


class ReviewFlag(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE)
    reason = models.CharField(max_length=200)


class ModeratedReview(Review):
    moderated_by = models.CharField(max_length=100)
