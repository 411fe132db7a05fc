"""The walk through an exception's causes."""

from activateurs.shared.errors import causes


class Wrapped(Exception):
    """Like SQLAlchemy's DBAPIError: the driver's error as `orig`, not as the cause."""

    def __init__(self, orig: BaseException) -> None:
        super().__init__("wrapped")
        self.orig = orig


def test_causes_follow_raise_from_the_context_and_orig() -> None:
    driver = ConnectionResetError("reset")
    try:
        try:
            raise KeyError("while handling")
        except KeyError:
            raise Wrapped(driver) from None
    except Wrapped as error:
        assert list(causes(error)) == [error, driver]
    try:
        try:
            raise driver
        except ConnectionResetError as first:
            raise RuntimeError("outer") from first
    except RuntimeError as error:
        assert [type(e) for e in causes(error)] == [RuntimeError, ConnectionResetError]


def test_a_cycle_ends_the_walk() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert list(causes(first)) == [first, second]
