"""Tables of the directory service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa

metadata = sa.MetaData()
