"""Signals other apps listen to, so that assessments need not know them."""

from django.dispatch import Signal

# Sent inside the submitting transaction, with `assessment` and `user`: receivers that write do so atomically
# with the submission (the recommendations app queues the report this way).
assessment_submitted = Signal()
