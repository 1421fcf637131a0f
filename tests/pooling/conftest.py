from tests.pooling.helpers import big_request, station  # noqa: F401 (fixtures)
