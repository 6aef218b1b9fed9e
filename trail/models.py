"""The chain: one ``TrailLink`` per record, one ``TrailHead`` per organisation (the lock and the tip).

Historical models are not changed: a link names its record (``kind`` and ``record_id``) and stores the
SHA-256 of the record's canonical content, the previous link's hash and its own hash over both.
"""

from django.db import models

from accounts.models import Organisation

ZERO_HASH = "0" * 64


class TrailHead(models.Model):
    """The tip of an organisation's chain. Appending locks this row, so one organisation has one chain."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=ZERO_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation_id} #{self.seq}"


class TrailLink(models.Model):
    """One record in an organisation's chain."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    # "history:<app_label>.<historical model>" for history records; other kinds (an access log) add their own.
    kind = models.CharField(max_length=120)
    record_id = models.CharField(max_length=64)
    # For history records: the comma-separated field names hashed, so a column added later does not
    # change what an old record's content hash covers.
    fields = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [models.UniqueConstraint(fields=["organisation", "seq"], name="trail_link_unique_seq")]
        indexes = [
            models.Index(fields=["organisation", "kind", "record_id"], name="trail_link_record"),
            models.Index(fields=["organisation", "created_at"], name="trail_link_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.record_id}"
