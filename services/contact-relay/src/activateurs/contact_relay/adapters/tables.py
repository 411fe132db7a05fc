"""Tables of the contact-relay service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa

metadata = sa.MetaData()
