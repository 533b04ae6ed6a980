from django.db import models


class Entry(models.Model):
    title = models.CharField(max_length=80)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
