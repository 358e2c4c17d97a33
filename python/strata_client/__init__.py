"""Strata from Python: point-in-time-correct training sets as pyarrow / pandas / polars, online features and pushes,
through the local `strata` binary or a running `strata serve`.

>>> from strata_client import FeatureStore
>>> store = FeatureStore(path="drivers")                      # or FeatureStore(url="http://127.0.0.1:6566", token=...)
>>> job = store.get_historical_features(spine_df, feature_service="driver_activity")
>>> train = job.to_df()
"""
from .errors import (BusyError, ConflictError, ConnectionFailedError, InvalidRequestError, LimitExceededError, NotFoundError,
                     ServerError, StorageFullError, StrataError, UnauthorizedError)
from .results import FeatureValue, OnlineResponse, PushResult, TrainingSetJob
from .store import FeatureStore

__all__ = [
    "FeatureStore", "TrainingSetJob", "OnlineResponse", "FeatureValue", "PushResult",
    "StrataError", "InvalidRequestError", "NotFoundError", "UnauthorizedError", "LimitExceededError", "ConflictError",
    "BusyError", "StorageFullError", "ServerError", "ConnectionFailedError",
]
__version__ = "0.1.0"
