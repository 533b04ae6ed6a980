from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from ledger import badges, text
from ledger.models import Entry


def profile(request):
    owner = User.objects.get(pk=request.GET["id"])
    entry = get_object_or_404(Entry, pk=2)
    lines = [
        badges.badge_for(request.user),
        badges.badge_for(owner),
        badges.badge_for(Entry.objects.filter(title="rent").first()),
        badges.badge_for(entry),
        badges.checksum(b"ledger"),
        badges.checksum(request.GET["q"].encode()),
        badges.describe(request.GET["q"]),
    ]
    rows = badges.parse_rows(request, {"csv": "a,b"})
    saved = badges.attach(request.FILES["receipt"], name="receipt.pdf")
    total = text.format_amount(12.5, "EUR")
    loud = text.shout(f"{len(rows)} rows", 3)
    return HttpResponse("\n".join([*lines, str(saved), total, loud]))


def summary(request, entry_id):
    entry = Entry.objects.get(pk=entry_id)
    return HttpResponse(text.format_amount(entry.amount, "EUR", places=0) + text.shout("done", times=2))
