"""funnel summaries: time in stage, summary indexes, last snapshot of a group subscription

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 00:19:21.187892
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import models.base  # noqa: F401  (UTC timestamps and money)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Records per (team, stage, parked), kept by triggers on every insert, delete and stage or parking
# change of a lead. On PostgreSQL the two counters a move touches are updated in a fixed order
# (by stage, then parked), so that two concurrent moves never wait on each other in a circle.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER lead_tally_insert AFTER INSERT ON lead BEGIN
        INSERT INTO stage_tally (team_id, stage, parked, n) VALUES (NEW.team_id, NEW.stage, NEW.parked, 1)
        ON CONFLICT (team_id, stage, parked) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER lead_tally_delete AFTER DELETE ON lead BEGIN
        UPDATE stage_tally SET n = n - 1
        WHERE team_id = OLD.team_id AND stage = OLD.stage AND parked = OLD.parked;
    END
    """,
    """
    CREATE TRIGGER lead_tally_update AFTER UPDATE OF team_id, stage, parked ON lead
    WHEN OLD.team_id IS NOT NEW.team_id OR OLD.stage IS NOT NEW.stage OR OLD.parked IS NOT NEW.parked
    BEGIN
        UPDATE stage_tally SET n = n - 1
        WHERE team_id = OLD.team_id AND stage = OLD.stage AND parked = OLD.parked;
        INSERT INTO stage_tally (team_id, stage, parked, n) VALUES (NEW.team_id, NEW.stage, NEW.parked, 1)
        ON CONFLICT (team_id, stage, parked) DO UPDATE SET n = n + 1;
    END
    """,
]
POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION stage_tally_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_first boolean := TG_OP = 'DELETE'
            OR (TG_OP = 'UPDATE' AND (OLD.stage, OLD.parked) < (NEW.stage, NEW.parked));
    BEGIN
        IF TG_OP <> 'INSERT' AND old_first THEN
            UPDATE stage_tally SET n = n - 1
            WHERE team_id = OLD.team_id AND stage = OLD.stage AND parked = OLD.parked;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO stage_tally (team_id, stage, parked, n) VALUES (NEW.team_id, NEW.stage, NEW.parked, 1)
            ON CONFLICT (team_id, stage, parked) DO UPDATE SET n = stage_tally.n + 1;
        END IF;
        IF TG_OP = 'UPDATE' AND NOT old_first THEN
            UPDATE stage_tally SET n = n - 1
            WHERE team_id = OLD.team_id AND stage = OLD.stage AND parked = OLD.parked;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER lead_tally_insert_delete AFTER INSERT OR DELETE ON lead "
    "FOR EACH ROW EXECUTE FUNCTION stage_tally_sync()",
    "CREATE TRIGGER lead_tally_update AFTER UPDATE OF team_id, stage, parked ON lead FOR EACH ROW "
    "WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.stage IS DISTINCT FROM NEW.stage "
    "OR OLD.parked IS DISTINCT FROM NEW.parked) EXECUTE FUNCTION stage_tally_sync()",
]


def upgrade() -> None:
    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_snapshot",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",  # existing subscriptions start without a snapshot
            )
        )

    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.alter_column("last_snapshot", server_default=None)

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_stage_cover")
        batch_op.create_index(
            "ix_lead_team_stage_deals", ["team_id", "stage", "deal_amount", "currency", "probability"], unique=False
        )
        batch_op.create_index(
            "ix_lead_team_closed",
            ["team_id", "closed_at", "stage", "currency", "deal_amount", "lost_reason"],
            unique=False,
        )
        batch_op.create_index("ix_lead_team_id_created_at", ["team_id", "created_at", "owner_id"], unique=False)
        batch_op.create_index(
            "ix_lead_team_stage_parked_activity", ["team_id", "stage", "parked", "last_activity_at"], unique=False
        )

    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seconds_in_stage", sa.BigInteger(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_stage_change_team_id_at"))
        batch_op.create_index(
            "ix_stage_change_team_at_moves",
            ["team_id", "at", "event", "from_stage", "to_stage", "member_id", "seconds_in_stage"],
            unique=False,
        )

    # Last, after any batch operation on `lead` (which could rebuild the table without triggers).
    op.create_table(
        "stage_tally",
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "suspect", "lead", "prospect", "opportunity", "customer", "lost",
                name="stage", native_enum=False, length=24,
            ),
            nullable=False,
        ),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_stage_tally_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "stage", "parked", name=op.f("pk_stage_tally")),
    )  # fmt: skip
    op.execute(
        "INSERT INTO stage_tally (team_id, stage, parked, n) "
        "SELECT team_id, stage, parked, count(*) FROM lead GROUP BY team_id, stage, parked"
    )
    for statement in POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER lead_tally_update ON lead")
        op.execute("DROP TRIGGER lead_tally_insert_delete ON lead")
        op.execute("DROP FUNCTION stage_tally_sync()")
    else:
        for name in ("lead_tally_insert", "lead_tally_delete", "lead_tally_update"):
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("stage_tally")
    with op.batch_alter_table("stage_change", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_change_team_at_moves")
        batch_op.create_index(batch_op.f("ix_stage_change_team_id_at"), ["team_id", "at"], unique=False)
        batch_op.drop_column("seconds_in_stage")

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_team_stage_parked_activity")
        batch_op.drop_index("ix_lead_team_id_created_at")
        batch_op.drop_index("ix_lead_team_closed")
        batch_op.drop_index("ix_lead_team_stage_deals")
        batch_op.create_index(
            "ix_lead_team_stage_cover", ["team_id", "stage", "parked", "deal_amount", "updated_at"], unique=False
        )

    with op.batch_alter_table("group_subscription", schema=None) as batch_op:
        batch_op.drop_column("last_snapshot")
