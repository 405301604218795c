"""`in` on integer columns that knows their range, as Django's own exact, gt and lt lookups
do: an id beyond the range matches no row instead of overflowing the database's integers
(SQLite raises OverflowError). Ids typed by hand into a multiple choice reach it."""

from django.db.models import IntegerField
from django.db.models.lookups import In


class InteroIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            minimo, massimo = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                v
                for v in self.rhs
                if not isinstance(v, int) or ((minimo is None or v >= minimo) and (massimo is None or v <= massimo))
            ]
        return super().process_rhs(compiler, connection)


def registra() -> None:
    IntegerField.register_lookup(InteroIn)
