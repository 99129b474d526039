"""Vocabularies shared by the domain, the tables and the forms."""

NAM_STATUSES = ("member", "observer", "none")
#: expected: foreseen by the UPR rotation (dates and states not yet published by OHCHR);
#: scheduled: published; postponed; held
SESSION_STATUSES = ("expected", "scheduled", "postponed", "held")
CONTACT_ROLES = ("ambassador", "deputy", "focal_point", "other")
#: ordered from least to most powerful
ROLES = ("viewer", "editor", "admin")
#: hrc_session is a soft preference for the planner; the others block
BUSY_KINDS = ("hrc_session", "closure", "meeting", "blackout")
#: UN official languages plus German (Geneva), as ISO 639-1 codes
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "de", "pt")
#: how long one UPR review lasts (70 min state under review + 140 min dialogue)
REVIEW_MINUTES = 210
BRIEFING_STATUSES = ("confirmed", "cancelled", "held")
PROPOSAL_STATUSES = ("open", "confirmed", "superseded")
OUTBOX_KINDS = ("request", "cancel", "reminder", "chaser", "notice")
#: pending: due (or backing off); sending: claimed by a worker; waiting: the relay is
#: unreachable, tried again by itself until it is back; sent; failed: given up (retry by
#: hand); withdrawn: no longer to be sent (superseded, cancelled briefing, recipient gone)
OUTBOX_STATUSES = ("pending", "sending", "waiting", "sent", "failed", "withdrawn")
#: what a fan-out sends to a briefing's audience: the first invitation, an update, the
#: cancellation
FANOUT_KINDS = ("invite", "update", "cancel")
#: queued: committed with its cause, not yet composed; composing: a delivery worker is
#: writing its messages to the outbox; done; superseded: a later fan-out of the same
#: briefing sends the current version instead
FANOUT_STATUSES = ("queued", "composing", "done", "superseded")
#: fan-out statuses of one whose messages are still being written
FANOUT_UNFINISHED = ("queued", "composing")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: iCalendar participation status of an invitation (RFC 5545 PARTSTAT)
PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "TENTATIVE", "DECLINED")
INVITATION_ROLES = ("presenter", "participant")
#: a presenting mission's answer about its slot on the agenda
SLOT_STATUSES = ("invited", "confirmed", "declined")
